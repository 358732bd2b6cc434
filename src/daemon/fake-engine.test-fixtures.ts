/**
 * @module A loopback Docker Engine for the daemon tests (not a test file itself): the few
 * endpoints images need (`/_ping`, inspect, history, save, load, tag) over a unix socket and
 * tcp, strict about the API version in the path as dockerd is, and able to misbehave on purpose
 * (no version header, a save that breaks off, a load that fails in its answer).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readTar } from '../internal/tar/index.ts';
import type { Tag } from '../name/index.ts';
import { parseTarballManifest } from '../tarball/manifest.ts';
import { write as tarballWrite } from '../tarball/write.ts';
import { Hash } from '../v1/hash.ts';
import type { Image } from '../v1/interfaces.ts';
import type { HistoryItem, ImageInspect } from './client.ts';

/** One image the fake holds. */
export interface FakeImage {
  inspect: ImageInspect;
  history: HistoryItem[];
  /** Its `docker save` tarball; undefined for an image that arrived by load (never saved back). */
  tarball: Buffer | undefined;
}

/** How the fake behaves; tests change these between calls. */
export interface FakeBehaviour {
  /** `API-Version` sent by `/_ping` (null: none, as daemons before 1.25). */
  apiVersion: string | null;
  /** `ok`, or `drop`: send half the tarball, then cut the connection. */
  save: 'ok' | 'drop';
  /**
   * `ok`; `error-line`: status 200 and an errorDetail line; `status-500`: an error answer after
   * the whole body; `early-400`: an error answer at once, the body left unread, the connection open.
   */
  load: 'ok' | 'error-line' | 'status-500' | 'early-400';
}

/** One request the fake saw. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
}

/** A running fake Engine. */
export interface FakeEngine {
  /** `unix:///…/docker.sock`. */
  readonly host: string;
  /** `tcp://127.0.0.1:PORT`. */
  readonly tcpHost: string;
  readonly behaviour: FakeBehaviour;
  readonly requests: SeenRequest[];
  /** Images by every name they answer to (ID, tags). */
  readonly images: Map<string, FakeImage>;
  /** Bytes of each load request body received. */
  readonly loads: number[];
  /** Adds `image` under its ID and `names`. */
  add(image: FakeImage, ...names: string[]): void;
  close(): Promise<void>;
}

/** Builds what the fake needs to serve `img` as `tag`: inspect, history, and its save tarball. */
export async function fakeImageFor(img: Image, tag: Tag): Promise<FakeImage> {
  const chunks: Buffer[] = [];
  for await (const c of tarballWrite(tag, img) as AsyncIterable<Buffer>) chunks.push(c);
  const cf = await img.configFile();
  const inspect: ImageInspect = {
    Id: (await img.configName()).toString(),
    RepoTags: [tag.toString()],
    Created: cf.created?.toString() ?? '0001-01-01T00:00:00Z',
    Author: cf.author ?? '',
    Architecture: cf.architecture,
    Os: cf.os,
    Config: cf.config,
    RootFS: { Type: cf.rootfs.type, Layers: cf.rootfs.diff_ids.map(String) },
  };
  const history = (cf.history ?? []).map((h, i) => ({
    Id: '<missing>',
    Created: h.created?.seconds ?? 0,
    CreatedBy: h.created_by ?? '',
    Size: h.empty_layer ? 0 : 1000 + i,
    Comment: h.comment ?? '',
  }));
  return { inspect, history: history.reverse(), tarball: Buffer.concat(chunks) };
}

/** Starts the fake on a unix socket in a temp folder and on 127.0.0.1. */
export async function startFakeEngine(initial: Partial<FakeBehaviour> = {}): Promise<FakeEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'containerregistry-fake-engine-'));
  const socketPath = join(dir, 'docker.sock');
  const behaviour: FakeBehaviour = { apiVersion: '1.41', save: 'ok', load: 'ok', ...initial };
  const requests: SeenRequest[] = [];
  const images = new Map<string, FakeImage>();
  const loads: number[] = [];
  const add = (image: FakeImage, ...names: string[]) => {
    for (const n of [image.inspect.Id, ...names]) images.set(n, image);
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '' });
    route(req, res, { behaviour, images, loads, add }).catch((err: unknown) => {
      if (!res.headersSent) answer(res, 500, { message: String(err) });
      else res.destroy();
    });
  };
  const unix = createServer(handler);
  const tcp = createServer(handler);
  await new Promise<void>((r) => unix.listen(socketPath, r));
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  const port = (tcp.address() as { port: number }).port;
  const stop = (s: Server) => new Promise<void>((r) => {
    s.closeAllConnections();
    s.close(() => r());
  });
  return {
    host: `unix://${socketPath}`,
    tcpHost: `tcp://127.0.0.1:${port}`,
    behaviour,
    requests,
    images,
    loads,
    add,
    async close() {
      await Promise.all([stop(unix), stop(tcp)]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

interface State {
  behaviour: FakeBehaviour;
  images: Map<string, FakeImage>;
  loads: number[];
  add: (image: FakeImage, ...names: string[]) => void;
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

function versionNumber(v: string): number {
  const [a = '0', b = '0'] = v.split('.');
  return Number(a) * 1000 + Number(b);
}

async function route(req: IncomingMessage, res: ServerResponse, state: State): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://engine');
  const { behaviour, images } = state;
  if (url.pathname === '/_ping') {
    const headers: Record<string, string> = { 'content-type': 'text/plain', ostype: 'linux' };
    if (behaviour.apiVersion !== null) headers['api-version'] = behaviour.apiVersion;
    res.writeHead(200, headers);
    res.end('OK');
    return;
  }
  const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(url.pathname);
  if (!m) return answer(res, 404, { message: 'page not found' });
  const max = behaviour.apiVersion ?? '1.24';
  if (versionNumber(m[1]!) > versionNumber(max)) {
    return answer(res, 400, { message: `client version ${m[1]} is too new. Maximum supported API version is ${max}` });
  }
  const path = decodeURIComponent(m[2]!);
  let r: RegExpExecArray | null;
  if (req.method === 'GET' && (r = /^\/images\/(.+)\/json$/.exec(path))) {
    const img = images.get(r[1]!);
    return img ? answer(res, 200, img.inspect) : answer(res, 404, { message: `No such image: ${r[1]}` });
  }
  if (req.method === 'GET' && (r = /^\/images\/(.+)\/history$/.exec(path))) {
    const img = images.get(r[1]!);
    return img ? answer(res, 200, img.history) : answer(res, 404, { message: `No such image: ${r[1]}` });
  }
  if (req.method === 'GET' && path === '/images/get') {
    const names = url.searchParams.getAll('names');
    const img = names.length === 1 ? images.get(names[0]!) : undefined;
    if (!img?.tarball) return answer(res, 404, { message: `No such image: ${names.join(',')}` });
    res.writeHead(200, { 'content-type': 'application/x-tar' });
    if (behaviour.save === 'drop') {
      res.write(img.tarball.subarray(0, img.tarball.length >> 1));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.end(img.tarball);
    return;
  }
  if (req.method === 'POST' && path === '/images/load') return load(req, res, state);
  if (req.method === 'POST' && (r = /^\/images\/(.+)\/tag$/.exec(path))) {
    const img = images.get(r[1]!);
    if (!img) return answer(res, 404, { message: `No such image: ${r[1]}` });
    state.add(img, `${url.searchParams.get('repo')}:${url.searchParams.get('tag')}`);
    res.writeHead(201);
    res.end();
    return;
  }
  return answer(res, 404, { message: 'page not found' });
}

/** Reads a `docker load` tarball and registers its images by config digest and RepoTags. */
async function load(req: IncomingMessage, res: ServerResponse, state: State): Promise<void> {
  if (state.behaviour.load === 'early-400') {
    // Marks the body as being consumed, so node does not drain it once the answer is sent.
    req.read(0);
    req.pause();
    return answer(res, 400, { message: 'refused before reading' });
  }
  if (state.behaviour.load === 'status-500') {
    req.resume();
    await new Promise((r) => req.once('end', r));
    return answer(res, 500, { message: 'Error processing tar file(exit status 1): unexpected EOF' });
  }
  let bytes = 0;
  const counted = new Readable({ read() {} });
  req.on('data', (c: Buffer) => {
    bytes += c.length;
    counted.push(c);
  });
  req.on('end', () => counted.push(null));
  const small = new Map<string, Buffer>();
  for await (const { header, body } of readTar(counted)) {
    if (header.size > 1024 * 1024) {
      body.resume();
      continue;
    }
    const parts: Buffer[] = [];
    for await (const c of body as AsyncIterable<Buffer>) parts.push(c);
    small.set(header.name, Buffer.concat(parts));
  }
  state.loads.push(bytes);
  res.writeHead(200, { 'content-type': 'application/json' });
  if (state.behaviour.load === 'error-line') {
    res.end('{"stream":"Loading layer\\n"}\n{"errorDetail":{"message":"open /var/lib/docker/tmp/x: no space left on device"},"error":"open /var/lib/docker/tmp/x: no space left on device"}\n');
    return;
  }
  const manifest = parseTarballManifest(small.get('manifest.json') ?? '[]');
  const lines: string[] = [];
  for (const entry of manifest) {
    const config = small.get(entry.Config) ?? Buffer.alloc(0);
    const id = Hash.of(config).toString();
    const cf = JSON.parse(config.toString('utf8')) as { rootfs?: { diff_ids?: string[] } };
    const image: FakeImage = {
      inspect: { Id: id, RepoTags: [...entry.RepoTags], RootFS: { Type: 'layers', Layers: cf.rootfs?.diff_ids ?? [] } },
      history: [],
      tarball: undefined,
    };
    state.add(image, ...entry.RepoTags);
    lines.push(JSON.stringify({ stream: `Loaded image: ${entry.RepoTags[0] ?? id}\n` }));
  }
  res.end(lines.map((l) => `${l}\n`).join(''));
}
