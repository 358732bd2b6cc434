import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delegateLayer } from '../v1/delegate.test-fixtures.ts';
import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { hasCode } from '../errors/index.ts';
import * as random from '../random/index.ts';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Layer } from '../v1/interfaces.ts';
import { entryName, filesystemCache } from './filesystem.ts';
import { isStoredLayer } from './cache.ts';
import { buffer as drain } from 'node:stream/consumers';
import { tempDirFor } from '../../test/harness/temp-dir.ts';

const tempDir = (t: { after(fn: () => unknown): void }) => tempDirFor(t, 'cache-test');

/** Resolves once `s` has closed: a destroyed tee closes only after its temp file is gone. */
const closed = (s: Readable) => new Promise<void>((r) => (s.closed ? r() : s.once('close', () => r())));

test('get and delete of an absent entry reject with NotFoundError', async (t) => {
  const c = filesystemCache(await tempDir(t));
  const h = Hash.of('nothing');
  await assert.rejects(c.get(h), (err) => hasCode(err, 'ERR_NOT_FOUND'));
  await assert.rejects(c.delete(h), (err) => hasCode(err, 'ERR_NOT_FOUND'));
});

test('reading a put layer compressed stores the blob under its digest, then get serves it', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const l = random.layer(64 * 1024, types.DockerLayer, { seed: 'fs-1' });
  const blob = await drain(await l.compressed());
  const teed = await c.put(l);
  assert.deepEqual(await readdir(dir).catch(() => []), [], 'put alone writes nothing');
  assert.deepEqual(await drain(await teed.compressed()), blob);
  const digest = await l.digest();
  assert.deepEqual(await readdir(dir), [`sha256:${digest.hex}`]);
  assert.deepEqual(await readFile(join(dir, `sha256:${digest.hex}`)), blob);

  const hit = await c.get(digest);
  assert.equal((await hit.digest()).toString(), digest.toString());
  assert.equal(await hit.size(), blob.length);
  assert.equal(await hit.mediaType(), types.DockerLayer);
  assert.deepEqual(await drain(await hit.compressed()), blob);
  assert.equal((await hit.diffID()).toString(), (await l.diffID()).toString());
});

test('reading a put layer uncompressed stores the tar under its diffID', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const l = random.layer(32 * 1024, types.DockerLayer, { seed: 'fs-2' });
  const tar = await drain(await (await c.put(l)).uncompressed());
  const diffID = await l.diffID();
  assert.deepEqual(await readdir(dir), [`sha256:${diffID.hex}`]);
  const hit = await c.get(diffID);
  assert.ok(isStoredLayer(hit));
  assert.deepEqual(await drain(await hit.uncompressed()), tar);
  assert.equal((await hit.diffID()).toString(), diffID.toString());
  // Recompressed at gzip level 1, as the random layer was: the same blob, so the same digest.
  assert.equal((await hit.digest()).toString(), (await l.digest()).toString());
});

test('a zstd blob in the cache is recognised as such', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const l = random.layer(8 * 1024, types.OCILayerZStd, { seed: 'fs-z' });
  await drain(await (await c.put(l)).compressed());
  const hit = await c.get(await l.digest());
  assert.equal(await hit.mediaType(), types.OCILayerZStd);
  assert.equal((await hit.diffID()).toString(), (await l.diffID()).toString());
});

test('a read abandoned part-way leaves no entry and no temp file', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const l = random.layer(4 * 1024 * 1024, types.DockerLayer, { seed: 'fs-3' });
  const s = await (await c.put(l)).compressed();
  for await (const _ of s) break;
  await closed(s);
  assert.deepEqual(await readdir(dir), []);
});

test('a source that fails part-way leaves no entry and no temp file', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const payload = Buffer.alloc(100_000, 7);
  const failing: Layer = {
    digest: async () => Hash.of(payload),
    diffID: async () => Hash.of(payload),
    size: async () => payload.length,
    mediaType: async () => types.DockerLayer,
    compressed: async () =>
      Readable.from(
        (async function* () {
          yield payload.subarray(0, 50_000);
          throw new Error('connection reset');
        })(),
      ),
    uncompressed: async () => Readable.from([payload]),
  };
  await assert.rejects(drain(await (await c.put(failing)).compressed()), /connection reset/);
  assert.deepEqual(await readdir(dir), []);
});

test('a layer whose bytes do not match its digest fails the read and is not cached', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const l = random.layer(1024, types.DockerLayer, { seed: 'fs-4' });
  const lying: Layer = { ...delegateLayer(l), digest: async () => Hash.of('something else') };
  await assert.rejects(drain(await (await c.put(lying)).compressed()), (err) => hasCode(err, 'ERR_DIGEST_MISMATCH'));
  assert.deepEqual(await readdir(dir), []);
});


test('a corrupt cached file fails its read with a digest mismatch and is deleted', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const l = random.layer(16 * 1024, types.DockerLayer, { seed: 'fs-5' });
  const digest = await l.digest();
  const path = join(dir, `sha256:${digest.hex}`);
  await drain(await (await c.put(l)).compressed());
  const good = await readFile(path);
  const bad = Buffer.from(good);
  bad[bad.length - 20]! ^= 0xff;
  await writeFile(path, bad);
  const hit = await c.get(digest);
  assert.ok(isStoredLayer(hit));
  await assert.rejects(drain(await hit.stored()), (err) => hasCode(err, 'ERR_DIGEST_MISMATCH'));
  await assert.rejects(stat(path), { code: 'ENOENT' });
  await assert.rejects(c.get(digest), (err) => hasCode(err, 'ERR_NOT_FOUND'));
});

test('a cached file of the wrong size is deleted, not served, when the size is known', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const l = random.layer(16 * 1024, types.DockerLayer, { seed: 'fs-6' });
  const digest = await l.digest();
  const path = join(dir, `sha256:${digest.hex}`);
  await drain(await (await c.put(l)).compressed());
  await truncate(path, 100);
  const hit = await c.get(digest);
  assert.ok(isStoredLayer(hit));
  await assert.rejects(hit.stored({ size: await l.size() }), (err) => hasCode(err, 'ERR_NOT_FOUND'));
  await assert.rejects(stat(path), { code: 'ENOENT' });
});

test('an empty entry (an interrupted in-place write) is deleted and reported absent', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const h = Hash.of('layer');
  await writeFile(join(dir, `sha256:${h.hex}`), '');
  await assert.rejects(c.get(h), (err) => hasCode(err, 'ERR_NOT_FOUND'));
  assert.deepEqual(await readdir(dir), []);
});

test('two readers teeing the same layer at once both succeed and leave one whole entry', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const l = random.layer(1024 * 1024, types.DockerLayer, { seed: 'fs-7' });
  const [a, b] = await Promise.all([c.put(l), c.put(l)]);
  const [x, y] = await Promise.all([drain(await a!.compressed()), drain(await b!.compressed())]);
  assert.deepEqual(x, y);
  const digest = await l.digest();
  assert.deepEqual(await readdir(dir), [`sha256:${digest.hex}`]);
  assert.deepEqual(await readFile(join(dir, `sha256:${digest.hex}`)), x);
  // A third writer replacing the entry while a reader streams the old one: the reader still gets it whole.
  const reading = (await c.get(digest)) as unknown as { stored(): Promise<Readable> };
  const old = await reading.stored();
  const [got] = await Promise.all([drain(old), drain(await (await c.put(l)).compressed())]);
  assert.deepEqual(got, x);
  assert.deepEqual(await readdir(dir), [`sha256:${digest.hex}`]);
});

test('storedSize gives the byte count get\'s stat saw, without looking again; an entry gone since is missed by stored()', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const l = random.layer(2048, types.DockerLayer, { seed: 'fs-9' });
  const tar = await drain(await (await c.put(l)).uncompressed());
  const hit = await c.get(await l.diffID());
  assert.ok(isStoredLayer(hit));
  await c.delete(await l.diffID());
  assert.equal(await hit.storedSize(), tar.length, 'no second stat');
  await assert.rejects(hit.stored(), (err) => hasCode(err, 'ERR_NOT_FOUND'));
});

test('delete removes an entry', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const l = random.layer(1024, types.DockerLayer, { seed: 'fs-8' });
  await drain(await (await c.put(l)).compressed());
  await c.delete(await l.digest());
  assert.deepEqual(await readdir(dir), []);
});

test('entries are named sha256:<hex>, and sha256-<hex> on Windows', () => {
  const h = Hash.of('x');
  assert.equal(entryName(h, 'linux'), `sha256:${h.hex}`);
  assert.equal(entryName(h, 'win32'), `sha256-${h.hex}`);
});
