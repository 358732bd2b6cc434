import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Hash } from '../../v1/hash.ts';
import { parseIndexManifest, parseManifest } from '../../v1/manifest.ts';
import { createDiskStorage } from './disk.ts';
import type { RegistryStorage } from './types.ts';

const asTs = import.meta.url.endsWith('.ts');
const sibling = (path: string) => new URL(asTs ? `${path}.ts` : `${path}.js`, import.meta.url).href;

// The child pushes blobs (in two chunks, sometimes leaving an upload half done), manifests with
// moving tags, referrers, and deletes, as fast as it can, until it is killed.
const childScript = `
  import { Readable } from 'node:stream';
  import { randomBytes } from 'node:crypto';
  const { createDiskStorage } = await import(${JSON.stringify(sibling('./disk'))});
  const { Hash } = await import(${JSON.stringify(sibling('../../v1/hash'))});
  const s = await createDiskStorage(process.argv[1], { fsync: process.argv[2] === 'fsync' });
  const body = (b) => Readable.from([b], { objectMode: false });
  async function push(repo, data, finish = true) {
    const up = await s.createUpload(repo);
    const half = data.length >> 1;
    await s.appendUpload(repo, up.id, body(data.subarray(0, half)), { offset: 0, length: half });
    if (!finish) return undefined;
    await s.appendUpload(repo, up.id, body(data.subarray(half)), { offset: half });
    return s.completeUpload(repo, up.id, Hash.of(data));
  }
  const descriptor = (mediaType, b) => ({ mediaType, size: b.size, digest: b.digest.toString() });
  const previous = new Map();
  process.stdout.write('ready\\n');
  for (let i = 0; ; i++) {
    const repo = 'crash/r' + (i % 3);
    const layer = await push(repo, randomBytes(1 + Math.floor(Math.random() * 200_000)), i % 7 !== 3);
    if (!layer) continue;
    const config = await push(repo, Buffer.from(JSON.stringify({ architecture: 'amd64', i })));
    const bytes = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: descriptor('application/vnd.oci.image.config.v1+json', config),
      layers: [descriptor('application/vnd.oci.image.layer.v1.tar+gzip', layer)],
    }));
    const manifest = { bytes, mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: Hash.of(bytes) };
    await s.putManifest(repo, manifest, { tag: 't' + (i % 5) });
    if (i % 4 === 0) {
      const sig = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: 'application/example.sig',
        config: descriptor('application/vnd.oci.empty.v1+json', config), layers: [],
        subject: { mediaType: manifest.mediaType, size: bytes.length, digest: manifest.digest.toString() },
      }));
      await s.putManifest(repo, { bytes: sig, mediaType: manifest.mediaType, digest: Hash.of(sig) }, { subject: manifest.digest });
    }
    if (i % 6 === 5 && previous.has(repo)) await s.deleteManifest(repo, previous.get(repo));
    if (i % 9 === 8) await s.deleteTag(repo, 't' + ((i + 1) % 5));
    previous.set(repo, manifest.digest);
    process.stdout.write(i + '\\n');
  }
`;

/** Runs the child until `ready`, lets it work for `ms`, SIGKILLs it; returns how many rounds it finished. */
async function runAndKill(root: string, ms: number): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_TEST_CONTEXT'];
  const args = [...(asTs ? ['--import', 'tsx'] : []), '--input-type=module', '-e', childScript, root, 'fsync'];
  const child = spawn(process.execPath, args, { cwd: dirname(fileURLToPath(import.meta.url)), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.startsWith('ready\n')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before it was ready: ${err}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, ms));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', `child died by itself: ${err}`);
  return out.split('\n').length - 2;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path) as AsyncIterable<Buffer>) h.update(c);
  return h.digest('hex');
}

async function contents(stream: Readable | undefined): Promise<Buffer> {
  assert.ok(stream);
  const parts: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts);
}

/** Checks every invariant a crash must not break; returns the counts seen. */
async function verify(root: string, s: RegistryStorage): Promise<{ blobs: number; manifests: number; tags: number }> {
  let blobs = 0;
  const blobDir = join(root, 'blobs', 'sha256');
  for (const prefix of await readdir(blobDir).catch(() => [])) {
    for (const hex of await readdir(join(blobDir, prefix))) {
      assert.equal(await sha256File(join(blobDir, prefix, hex)), hex, `blob ${hex} is not what its name says`);
      blobs++;
    }
  }
  let manifests = 0;
  let tags = 0;
  const repos = await s.listRepositories();
  for (const repo of repos) {
    const dir = join(root, 'repositories', ...repo.split('/'));
    for (const hex of await readdir(join(dir, '_layers', 'sha256')).catch(() => [])) {
      const digest = new Hash('sha256', hex);
      const info = await s.statBlob(repo, digest);
      assert.ok(info, `${repo} links ${hex}, which does not exist`);
      const bytes = await contents(await s.openBlob(repo, digest));
      assert.equal(bytes.length, info.size);
      assert.ok(Hash.of(bytes).equals(digest));
    }
    for (const hex of await readdir(join(dir, '_manifests', 'revisions', 'sha256')).catch(() => [])) {
      const m = await s.getManifest(repo, `sha256:${hex}`);
      assert.ok(m, `${repo} has a revision ${hex} whose manifest is unreadable`);
      assert.ok(Hash.of(m.bytes).equals(m.digest) && m.digest.hex === hex);
      const doc = JSON.parse(m.bytes.toString());
      if (Array.isArray(doc.manifests)) parseIndexManifest(m.bytes);
      else parseManifest(m.bytes);
      for (const r of await s.listReferrers(repo, m.digest)) {
        assert.ok(await s.getManifest(repo, r.digest.toString()), `${repo} lists referrer ${r.digest}, which is gone`);
      }
      manifests++;
    }
    for (const tag of (await s.listTags(repo)) ?? []) {
      const m = await s.getManifest(repo, tag);
      assert.ok(m, `${repo}:${tag} points at nothing`);
      assert.ok(Hash.of(m.bytes).equals(m.digest));
      tags++;
    }
    for (const id of await readdir(join(dir, '_uploads')).catch(() => [])) {
      const data = join(dir, '_uploads', id, 'data');
      const size = await stat(data).then((st) => st.size, () => undefined);
      assert.equal((await s.getUpload(repo, id))?.size, size, `upload ${id} in ${repo}`);
    }
  }
  return { blobs, manifests, tags };
}

test('disk: SIGKILL at random moments leaves no corrupt blob, manifest, tag, link or upload visible', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cr-crash-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  let rounds = 0;
  for (let kill = 0; kill < 8; kill++) {
    rounds += await runAndKill(root, 20 + Math.floor(Math.random() * 180));
    const s = await createDiskStorage(root, { fsync: false });
    await verify(root, s);
    await s.close();
  }
  const s = await createDiskStorage(root, { fsync: false });
  const seen = await verify(root, s);
  assert.ok(rounds > 0 && seen.manifests > 0 && seen.tags > 0, `the child did too little to test anything: ${JSON.stringify({ rounds, ...seen })}`);

  // Uploads the kills interrupted resume: their running hash is rebuilt from what reached the file.
  for (const repo of await s.listRepositories()) {
    const uploads = join(root, 'repositories', ...repo.split('/'), '_uploads');
    for (const id of await readdir(uploads).catch(() => [])) {
      const info = await s.getUpload(repo, id);
      if (!info) continue;
      const head = await readFile(join(uploads, id, 'data'));
      const tail = Buffer.from(`tail of ${id}`);
      await s.appendUpload(repo, id, Readable.from([tail], { objectMode: false }), { offset: head.length });
      const digest = Hash.of(Buffer.concat([head, tail]));
      assert.deepEqual(await s.completeUpload(repo, id, digest), { digest, size: head.length + tail.length });
    }
  }
  // A collection afterwards keeps every tagged image whole.
  await s.gc({ untagged: true });
  await verify(root, s);
  for (const repo of await s.listRepositories()) {
    for (const tag of (await s.listTags(repo)) ?? []) {
      const m = parseManifest((await s.getManifest(repo, tag))!.bytes);
      for (const d of [m.config, ...m.layers]) assert.deepEqual(await s.statBlob(repo, d.digest), { digest: d.digest, size: d.size });
    }
  }
  await s.close();
});
