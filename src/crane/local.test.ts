// crane's local verbs against our registry: pull into docker, legacy and OCI-layout forms, the
// layer cache, load, push back from a layout or a tarball, and the errors a script would see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as crane from './index.ts';
import * as remote from '../remote/index.ts';
import * as random from '../random/index.ts';
import * as validate from '../validate/index.ts';
import * as layout from '../layout/index.ts';
import { Anonymous } from '../authn/index.ts';
import { Platform } from '../v1/platform.ts';
import { startFrontedRegistry, type FrontedRegistry } from '../registry/fronted.test-fixtures.ts';
import { readTar } from '../internal/tar/index.ts';
import { createReadStream } from 'node:fs';
import { Hash } from '../v1/hash.ts';

let front: FrontedRegistry;
let host = '';
let dir = '';
let seen: string[] = [];
const o = { auth: Anonymous };
/** A blob digest whose bytes the server flips on GET (same length), to test what reaches disk. */
let corrupt = '';
/** Manifests the wrapper serves itself (media types our registry would refuse to store), by URL path. */
const served = new Map<string, { type: string; body: Buffer }>();

before(async () => {
  front = await startFrontedRegistry();
  host = front.host;
  seen = front.seen;
  front.intercept = (req, res) => {
    const fake = served.get(req.url ?? '');
    if (fake && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': fake.type, 'content-length': fake.body.length, 'docker-content-digest': Hash.of(fake.body).toString() });
      res.end(req.method === 'GET' ? fake.body : undefined);
      return true;
    }
    if (corrupt && req.method === 'GET' && req.url?.endsWith(`/blobs/${corrupt}`)) {
      const write = res.write.bind(res);
      let flipped = false;
      res.write = ((chunk: Buffer, ...rest: never[]) => {
        if (!flipped && Buffer.isBuffer(chunk) && chunk.length > 0) {
          chunk = Buffer.from(chunk);
          chunk[0] = chunk[0]! ^ 0xff;
          flipped = true;
        }
        return write(chunk, ...rest);
      }) as typeof res.write;
    }
    return false;
  };
  dir = await mkdtemp(join(tmpdir(), 'crane-local-'));
  await remote.writeIndex(`${host}/local/multi:v1`, random.index(2000, 2, 2, { seed: 'local-idx', platforms: ['linux/amd64', 'linux/arm64'] }));
  await remote.write(`${host}/local/one:v1`, random.image(3000, 2, { seed: 'local-one' }));
});
after(async () => {
  await front.close();
  await rm(dir, { recursive: true, force: true });
});

async function names(tarPath: string): Promise<string[]> {
  const out: string[] = [];
  for await (const { header, body } of readTar(createReadStream(tarPath))) {
    out.push(header.name);
    body.resume();
  }
  return out;
}

test('pull into a docker tarball: several images, a digest reference tagged i-was-a-digest; load picks by tag', async () => {
  const one = await remote.image(`${host}/local/one:v1`);
  const d = await one.digest();
  const path = join(dir, 'two.tar');
  await crane.pullTo([`${host}/local/one:v1`, `${host}/local/multi@${await (await remote.index(`${host}/local/multi:v1`)).digest()}`], path, o);
  const loaded = await crane.load(path, { tag: `${host}/local/one:v1` });
  assert.ok((await loaded.configName()).equals(await one.configName()));
  assert.ok((await loaded.digest()).equals(d), 'compressed layers keep the manifest digest');
  const amd64 = await crane.load(path, { tag: `${host}/local/multi:${crane.I_WAS_A_DIGEST_TAG}` });
  const wanted = await remote.image(`${host}/local/multi:v1`, { platform: Platform.parse('linux/amd64') });
  assert.ok((await amd64.configName()).equals(await wanted.configName()), 'an index resolves to linux/amd64 by default');
  await validate.image(amd64);
  assert.equal((await names(path)).at(-1), 'manifest.json');
});

test('pull --format legacy writes the v1 layout docker load reads', async () => {
  const path = join(dir, 'legacy.tar');
  await crane.pullTo([`${host}/local/one:v1`], path, { ...o, format: 'legacy' });
  const entries = await names(path);
  assert.ok(entries.includes('repositories') && entries.includes('manifest.json'));
  assert.equal(entries.filter((n) => n.endsWith('/layer.tar')).length, 2);
});

test('pull --format oci keeps an index whole, appends to an existing layout, annotates the ref', async () => {
  const path = join(dir, 'layout');
  await crane.pullTo([`${host}/local/multi:v1`], path, { ...o, format: 'oci', annotateRef: true });
  await crane.pullTo([`${host}/local/one:v1`], path, { ...o, format: 'oci' });
  const idx = await layout.imageIndexFromPath(path);
  const m = (await idx.indexManifest()).manifests;
  assert.equal(m.length, 2);
  assert.ok(m[0]!.digest.equals(await (await remote.index(`${host}/local/multi:v1`)).digest()));
  assert.equal(m[0]!.annotations?.[crane.REF_NAME_ANNOTATION], `${host}/local/multi:v1`);
  assert.equal(m[1]!.annotations, undefined);
  await validate.index(await idx.imageIndex(m[0]!.digest));
  await assert.rejects(crane.loadLocal(path), /contains 2 entries, consider --index/);
  const all = await crane.loadLocal(path, { index: true });
  assert.ok('indexManifest' in all);
  const pushed = await crane.push(all, `${host}/local/whole-layout:v1`, o);
  assert.ok(pushed.equals(await all.digest()));
});

test('pull --platform with --format oci stores the one image; push from the layout keeps its digest', async () => {
  const path = join(dir, 'arm-layout');
  await crane.pullTo([`${host}/local/multi:v1`], path, { ...o, format: 'oci', platform: Platform.parse('linux/arm64') });
  const img = await crane.loadLocal(path);
  assert.ok(!('indexManifest' in img));
  const wanted = await remote.image(`${host}/local/multi:v1`, { platform: Platform.parse('linux/arm64') });
  assert.ok((await img.digest()).equals(await wanted.digest()));
  const pushed = await crane.push(img, `${host}/local/arm:v1`, o);
  assert.ok(pushed.equals(await wanted.digest()));
  assert.ok((await remote.head(`${host}/local/arm:v1`)).digest.equals(pushed));
});

test('the layer cache: a second pull reads layers from the cache, not the registry', async () => {
  const cachePath = join(dir, 'cache');
  await crane.pullTo([`${host}/local/one:v1`], join(dir, 'c1.tar'), { ...o, cachePath });
  const layers = (await (await remote.image(`${host}/local/one:v1`)).manifest()).layers;
  const cached = await readdir(cachePath);
  for (const l of layers) assert.ok(cached.includes(l.digest.toString()), `${l.digest} is cached`);
  seen.length = 0;
  await crane.pullTo([`${host}/local/one:v1`], join(dir, 'c2.tar'), { ...o, cachePath });
  for (const l of layers) assert.ok(!seen.includes(`GET /v2/local/one/blobs/${l.digest}`), `${l.digest} was not fetched again`);
  assert.deepEqual(await readFile(join(dir, 'c2.tar')), await readFile(join(dir, 'c1.tar')));
});

test('bad input: an unknown format, no images, a missing path', async () => {
  await assert.rejects(crane.pullTo([`${host}/local/one:v1`], join(dir, 'x'), { ...o, format: 'zip' as 'oci' }), { code: 'ERR_INVALID_ARGUMENT' });
  await assert.rejects(crane.pullTo([], join(dir, 'x'), o), { code: 'ERR_INVALID_ARGUMENT' });
  await assert.rejects(crane.loadLocal(join(dir, 'does-not-exist')), { code: 'ENOENT' });
  await assert.rejects(crane.pullTo([`${host}/local/absent:v1`], join(dir, 'absent.tar'), o));
  await assert.rejects(readFile(join(dir, 'absent.tar')), { code: 'ENOENT' }, 'a failed pull leaves no file');
});

test('a registry that serves wrong bytes: pull fails with DigestMismatchError, nothing lands under a blob name', async () => {
  const layers = (await (await remote.image(`${host}/local/one:v1`)).manifest()).layers;
  const bad = layers[1]!.digest;
  corrupt = bad.toString();
  try {
    const path = join(dir, 'corrupt-layout');
    await assert.rejects(crane.pullTo([`${host}/local/one:v1`], path, { ...o, format: 'oci' }), { code: 'ERR_DIGEST_MISMATCH' });
    const blobs = await readdir(join(path, 'blobs', 'sha256'));
    assert.ok(!blobs.includes(bad.hex), 'the corrupt blob is not under its name');
    assert.deepEqual(blobs.filter((b) => b.startsWith('.tmp-')), [], 'no temp file left');
    await assert.rejects(crane.pullTo([`${host}/local/one:v1`], join(dir, 'corrupt.tar'), o), { code: 'ERR_DIGEST_MISMATCH' });
    assert.ok(!(await readdir(dir)).some((f) => f.startsWith('corrupt.tar')), 'no tarball, no temp file');
  } finally {
    corrupt = '';
  }
});

test('pull --format oci copies an index child of a media type nobody understands, as its bytes', async () => {
  const { marshalIndexManifest } = await import('../internal/gojson/index.ts');
  const types = await import('../types/index.ts');
  const img = random.image(1000, 1, { seed: 'artifact-child', format: 'oci' });
  await remote.write(`${host}/local/artifacts:img`, img);
  const thing = Buffer.from('{"kind":"something new"}');
  const thingType = 'application/vnd.example.thing+json';
  served.set(`/v2/local/artifacts/manifests/${Hash.of(thing)}`, { type: thingType, body: thing });
  const raw = marshalIndexManifest({
    schemaVersion: 2,
    mediaType: types.OCIImageIndex,
    manifests: [
      { mediaType: types.OCIManifestSchema1, size: await img.size(), digest: await img.digest() },
      { mediaType: thingType, size: thing.length, digest: Hash.of(thing) },
    ],
  } as never);
  served.set('/v2/local/artifacts/manifests/idx', { type: types.OCIImageIndex, body: raw });
  const path = join(dir, 'artifact-layout');
  await crane.pullTo([`${host}/local/artifacts:idx`], path, { ...o, format: 'oci' });
  assert.deepEqual(await readFile(join(path, 'blobs', 'sha256', Hash.of(thing).hex)), thing);
  assert.deepEqual(await readFile(join(path, 'blobs', 'sha256', Hash.of(raw).hex)), raw);
  // Through the layer cache too: the cached index passes the child through.
  const cached = join(dir, 'artifact-layout-cached');
  await crane.pullTo([`${host}/local/artifacts:idx`], cached, { ...o, format: 'oci', cachePath: join(dir, 'artifact-cache') });
  assert.deepEqual(await readFile(join(cached, 'blobs', 'sha256', Hash.of(thing).hex)), thing);
});

test('many layers through a small jobs limit neither hang nor reorder (ggcr #2345)', { timeout: 30_000 }, async () => {
  const img = random.image(20_000, 12, { seed: 'many-layers' });
  await remote.write(`${host}/local/many:v1`, img);
  for (const jobs of [1, 2]) {
    const tar = join(dir, `many-${jobs}.tar`);
    await crane.pullTo([`${host}/local/many:v1`], tar, { ...o, jobs });
    const loaded = await crane.load(tar);
    assert.deepEqual(
      await Promise.all((await loaded.layers()).map(async (l) => String(await l.diffID()))),
      await Promise.all((await img.layers()).map(async (l) => String(await l.diffID()))),
    );
    const path = join(dir, `many-layout-${jobs}`);
    await crane.pullTo([`${host}/local/many:v1`], path, { ...o, format: 'oci', jobs });
    assert.ok((await (await crane.loadLocal(path) as Awaited<ReturnType<typeof remote.image>>).digest()).equals(await img.digest()));
  }
});
