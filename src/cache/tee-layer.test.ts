import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { buffer as drain } from 'node:stream/consumers';
import { hasCode } from '../errors/index.ts';
import * as random from '../random/index.ts';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Layer } from '../v1/interfaces.ts';
import { compressedToLayer } from '../partial/layer.ts';
import { pipe } from '../internal/pipe/index.ts';
import { verifyOnce, verifyStream } from '../internal/verify/index.ts';
import { CacheBackedLayer } from './cached-layer.ts';
import { filesystemCache } from './filesystem.ts';
import { tempDirFor } from '../../test/harness/temp-dir.ts';
import { bytesHashed } from '../../test/harness/bytes-hashed.ts';

const tempDir = (t: { after(fn: () => unknown): void }) => tempDirFor(t, 'cache-tee-test');

/**
 * A layer whose compressed stream verifies itself as a registry layer's does (remote/fetcher:
 * the body piped through `verifyStream`), serving `body` while claiming `digest` and `size`.
 */
function registryLikeLayer(body: Buffer, digest: Hash, size: number): Layer {
  return compressedToLayer({
    digest: async () => digest,
    size: async () => size,
    mediaType: async () => types.DockerLayer,
    compressed: async () => {
      const chunks = [];
      for (let i = 0; i < body.length; i += 16 * 1024) chunks.push(body.subarray(i, i + 16 * 1024));
      return pipe(Readable.from(chunks), verifyStream({ digest, size, what: `blob ${digest}` }));
    },
  });
}

async function blobOf(seed: string): Promise<Buffer> {
  return drain(await random.layer(128 * 1024, types.DockerLayer, { seed }).compressed());
}

test('filling the cache from a layer that verifies itself hashes each byte once', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const blob = await blobOf('tee-1');
  const digest = Hash.of(blob);
  const teed = await c.put(registryLikeLayer(blob, digest, blob.length));
  let got: Buffer | undefined;
  const hashed = await bytesHashed(async () => (got = await drain(await teed.compressed())));
  assert.deepEqual(got, blob);
  assert.deepEqual(await readdir(dir), [digest.toString()]);
  assert.equal(hashed, blob.length, 'the source verifies the digest; the tee must not hash again');
});

test('a cache-wrapped registry layer read into a verifying sink hashes each byte once, on a miss and on a hit', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const blob = await blobOf('tee-2');
  const digest = Hash.of(blob);
  const layer = new CacheBackedLayer(registryLikeLayer(blob, digest, blob.length), c);
  // What a layout or tarball writer does with a layer's compressed stream (layout/blob-writer).
  const intoSink = async () => drain(verifyOnce(await layer.compressed(), { digest, size: blob.length, what: `blob ${digest}` }));
  assert.equal(await bytesHashed(intoSink), blob.length, 'miss: registry check only');
  assert.deepEqual(await readdir(dir), [digest.toString()]);
  assert.equal(await bytesHashed(intoSink), blob.length, 'hit: the cached file check only');
});

test('a self-verifying source with the wrong bytes fails the read with a digest mismatch and leaves no file', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const blob = await blobOf('tee-3');
  const bad = Buffer.from(blob);
  bad[bad.length >> 1]! ^= 0xff;
  const teed = await c.put(registryLikeLayer(bad, Hash.of(blob), blob.length));
  await assert.rejects(drain(await teed.compressed()), (err) => hasCode(err, 'ERR_DIGEST_MISMATCH'));
  assert.deepEqual(await readdir(dir), [], 'no entry and no temp file');
});

test('a self-verifying source of the wrong size fails the read with a size mismatch and leaves no file', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const blob = await blobOf('tee-4');
  const teed = await c.put(registryLikeLayer(blob, Hash.of(blob.subarray(0, 1000)), 1000));
  await assert.rejects(drain(await teed.compressed()), (err) => hasCode(err, 'ERR_SIZE_MISMATCH'));
  assert.deepEqual(await readdir(dir), [], 'no entry and no temp file');
});

test('the tar stored by diffID is verified: a wrong diffID fails the read and leaves no file', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const l = random.layer(32 * 1024, types.DockerLayer, { seed: 'tee-5' });
  const lying: Layer = compressedToLayer({
    digest: () => l.digest(),
    size: () => l.size(),
    mediaType: () => l.mediaType(),
    compressed: (o) => l.compressed(o),
    diffID: async () => Hash.of('not the tar'),
  });
  await assert.rejects(drain(await (await c.put(lying)).uncompressed()), (err) => hasCode(err, 'ERR_DIGEST_MISMATCH'));
  assert.deepEqual(await readdir(dir), []);
});
