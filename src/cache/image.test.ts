import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delegateImage, delegateLayer } from '../v1/delegate.test-fixtures.ts';
import { readdir, readFile, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hasCode } from '../errors/index.ts';
import * as random from '../random/index.ts';
import * as validate from '../validate/index.ts';
import * as partial from '../partial/index.ts';
import type { Hash } from '../v1/hash.ts';
import type { Image, Layer, StreamOptions } from '../v1/interfaces.ts';
import { filesystemCache } from './filesystem.ts';
import { image, imageIndex } from './image.ts';
import { readOnly } from './read-only.ts';
import { isStoredLayer, type Cache, type StoredLayer } from './cache.ts';
import { buffer as drain } from 'node:stream/consumers';
import { tempDirFor } from '../../test/harness/temp-dir.ts';
import { bytesHashed } from '../../test/harness/bytes-hashed.ts';

const tempDir = (t: { after(fn: () => unknown): void }) => tempDirFor(t, 'cache-image-test');

/** Counts how often the source's layer streams are opened, to tell cache hits from misses. */
interface Counts {
  compressed: number;
  uncompressed: number;
}

function counting(img: Image, counts: Counts): Image {
  const wrap = (l: Layer): Layer => ({
    digest: () => l.digest(),
    diffID: () => l.diffID(),
    size: () => l.size(),
    mediaType: () => l.mediaType(),
    compressed: (o?: StreamOptions) => {
      counts.compressed++;
      return l.compressed(o);
    },
    uncompressed: (o?: StreamOptions) => {
      counts.uncompressed++;
      return l.uncompressed(o);
    },
  });
  return {
    ...delegateImage(img),
    layers: async () => (await img.layers()).map(wrap),
    layerByDigest: async (h: Hash) => wrap(await img.layerByDigest(h)),
    layerByDiffID: async (h: Hash) => wrap(await img.layerByDiffID(h)),
  };
}

test('a cached image is valid, fills the cache on first read and serves hits without the source', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const counts = { compressed: 0, uncompressed: 0 };
  const src = random.image(20 * 1024, 3, { seed: 'img-1' });
  const img = image(counting(src, counts), c);
  const layers = await img.layers();
  const first = await Promise.all(layers.map(async (l) => drain(await l.compressed())));
  assert.equal(counts.compressed, 3);
  const digests = await Promise.all(layers.map((l) => l.digest()));
  assert.deepEqual((await readdir(dir)).sort(), digests.map((d) => d.toString()).sort());

  const again = image(counting(src, counts), c);
  const second = await Promise.all((await again.layers()).map(async (l) => drain(await l.compressed())));
  assert.deepEqual(second, first);
  assert.equal(counts.compressed, 3, 'the second read came from the cache');
  // Facts come from the original, streams from the cache: the whole image checks out.
  await validate.image(again);
  assert.equal((await again.digest()).toString(), (await src.digest()).toString());
});

test('uncompressed reads are cached by diffID and served from there', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const counts = { compressed: 0, uncompressed: 0 };
  const src = random.image(8 * 1024, 1, { seed: 'img-2' });
  const [l] = await image(counting(src, counts), c).layers();
  const tar = await drain(await l!.uncompressed());
  const diffID = await l!.diffID();
  assert.deepEqual(await readdir(dir), [diffID.toString()]);
  const [again] = await image(counting(src, counts), c).layers();
  assert.deepEqual(await drain(await again!.uncompressed()), tar);
  assert.equal(counts.uncompressed, 1);
  // The compressed form is not in the cache yet: that read goes to the source (and is cached).
  await drain(await again!.compressed());
  assert.equal(counts.compressed, 1);
  assert.equal((await readdir(dir)).length, 2);
});

test('an uncompressed read of a layer whose blob is cached decompresses the cached blob, not a fresh download', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const counts = { compressed: 0, uncompressed: 0 };
  const src = random.image(16 * 1024, 1, { seed: 'img-9' });
  const [l] = await image(counting(src, counts), c).layers();
  await drain(await l!.compressed());
  assert.equal(counts.compressed, 1);
  const [again] = await image(counting(src, counts), c).layers();
  const tar = await drain(await again!.uncompressed());
  assert.deepEqual(tar, await drain(await (await src.layers())[0]!.uncompressed()));
  assert.deepEqual(counts, { compressed: 1, uncompressed: 0 }, 'the source was not read again');
  const diffID = await l!.diffID();
  assert.deepEqual((await readdir(dir)).sort(), [(await l!.digest()).toString(), diffID.toString()].sort(), 'and the tar is now cached too');
  assert.deepEqual(await readFile(join(dir, diffID.toString())), tar);
});

/** An image built from tars (as a classic `docker save` or the daemon gives), counting tar opens. */
async function fromTars(seed: string, counts: Counts): Promise<Image> {
  const src = random.image(64 * 1024, 1, { seed });
  const [l] = await src.layers();
  return partial.uncompressedToImage({
    rawConfigFile: () => src.rawConfigFile(),
    mediaType: () => src.mediaType(),
    layerByDiffID: async () => ({
      diffID: () => l!.diffID(),
      mediaType: () => l!.mediaType(),
      uncompressed: (o?: StreamOptions) => {
        counts.uncompressed++;
        return l!.uncompressed(o);
      },
    }),
  });
}

test('a tar read of a layer built from a tar opens the tar once on a miss: no compression pass to look up its blob', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const counts = { compressed: 0, uncompressed: 0 };
  const [l] = await image(await fromTars('img-11', counts), c).layers();
  const tar = await drain(await l!.uncompressed());
  assert.equal(counts.uncompressed, 1);
  const diffID = await l!.diffID();
  assert.deepEqual(await readdir(dir), [diffID.toString()]);
  assert.deepEqual(await readFile(join(dir, diffID.toString())), tar);
});

test('a tar read of a layer built from a tar whose digest is known uses its cached blob', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const counts = { compressed: 0, uncompressed: 0 };
  const [l] = await image(await fromTars('img-12', counts), c).layers();
  await drain(await l!.compressed());
  const opened = counts.uncompressed;
  const tar = await drain(await l!.uncompressed());
  assert.equal(counts.uncompressed, opened, 'decompressed from the cached blob');
  assert.deepEqual(await readFile(join(dir, (await l!.diffID()).toString())), tar);
});

test('a cached blob that fails to decompress part-way fails the tar read made from it, and is deleted', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const counts = { compressed: 0, uncompressed: 0 };
  // Over one 1 MiB file read, so the digest check of the blob has not reached its end when
  // gunzip gives up on the first block.
  const src = random.image(1536 * 1024, 1, { seed: 'img-10' });
  const [l] = await image(counting(src, counts), c).layers();
  const blob = await drain(await l!.compressed());
  const path = join(dir, (await l!.digest()).toString());
  const bad = Buffer.from(blob);
  bad.fill(0xff, 10, 16); // the first deflate block header, after gzip's 10-byte header: an invalid block type
  await writeFile(path, bad);
  await assert.rejects(drain(await l!.uncompressed()), (err) => hasCode(err, 'ERR_COMPRESSION'));
  assert.deepEqual(await readdir(dir), [], 'neither the bad blob nor a tar is left');
  const tar = await drain(await l!.uncompressed());
  assert.equal(counts.uncompressed, 1, 'the next read went to the source');
  assert.deepEqual(tar, await drain(await (await src.layers())[0]!.uncompressed()));
});

/**
 * `c` with a hook that runs when a stored entry has just been opened: the moment another reader
 * may rename its fresh copy over the one being read.
 */
function onOpened(c: Cache, hook: () => Promise<void>): Cache {
  return {
    put: (l) => c.put(l),
    delete: (h) => c.delete(h),
    get: async (h) => {
      const found = await c.get(h);
      if (!isStoredLayer(found)) return found;
      const stored: StoredLayer = {
        ...delegateLayer(found),
        stored: async (o) => {
          const s = await found.stored(o);
          await hook();
          return s;
        },
        storedSize: (o) => found.storedSize(o),
      };
      if (found.discard) stored.discard = () => found.discard!();
      return stored;
    },
  };
}

test('a cached blob that fails to decompress is discarded only if still in place: a good copy renamed over it meanwhile survives', async (t) => {
  const dir = await tempDir(t);
  const fs = filesystemCache(dir);
  const counts = { compressed: 0, uncompressed: 0 };
  // Over one 1 MiB file read, as above, so the codec fails before the digest check can.
  const src = random.image(1536 * 1024, 1, { seed: 'img-13' });
  const blob = await drain(await (await image(src, fs).layers())[0]!.compressed());
  const [l] = await src.layers();
  const path = join(dir, (await l!.digest()).toString());
  const bad = Buffer.from(blob);
  bad.fill(0xff, 10, 16); // an invalid deflate block type: the codec fails on the first block
  await writeFile(path, bad);
  let renamed = false;
  const racing = onOpened(fs, async () => {
    if (renamed) return;
    renamed = true;
    // Another reader finishes filling the same entry: its whole, verified copy is renamed in.
    const fresh = join(dir, '.tmp-other-reader');
    await writeFile(fresh, blob);
    await rename(fresh, path);
  });
  const [cached] = await image(counting(src, counts), racing).layers();
  await assert.rejects(async () => drain(await cached!.uncompressed()), (err) => hasCode(err, 'ERR_COMPRESSION'));
  assert.ok(renamed);
  assert.deepEqual(await readFile(path), blob, 'the good copy is still there');
  const tar = await drain(await cached!.uncompressed());
  assert.deepEqual(counts, { compressed: 0, uncompressed: 0 }, 'and the next tar read was made from it');
  assert.deepEqual(tar, await drain(await l!.uncompressed()));
});

test('a truncated entry is deleted and the layer fetched again, in the same read', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const counts = { compressed: 0, uncompressed: 0 };
  const src = random.image(16 * 1024, 1, { seed: 'img-3' });
  const [l] = await image(counting(src, counts), c).layers();
  const blob = await drain(await l!.compressed());
  const path = join(dir, (await l!.digest()).toString());
  await truncate(path, 10);
  const [again] = await image(counting(src, counts), c).layers();
  assert.deepEqual(await drain(await again!.compressed()), blob);
  assert.equal(counts.compressed, 2, 'fetched from the source again');
  assert.deepEqual(await readFile(path), blob, 'and the entry is whole again');
});

test('a corrupt entry fails its read once, is deleted, and is fetched afresh on the next', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const counts = { compressed: 0, uncompressed: 0 };
  const src = random.image(16 * 1024, 1, { seed: 'img-4' });
  const [l] = await image(counting(src, counts), c).layers();
  const blob = await drain(await l!.compressed());
  const path = join(dir, (await l!.digest()).toString());
  const bad = Buffer.from(blob);
  bad[100]! ^= 0x55;
  await writeFile(path, bad);
  await assert.rejects(drain(await l!.compressed()), (err) => hasCode(err, 'ERR_DIGEST_MISMATCH'));
  assert.deepEqual(await readdir(dir), [], 'the bad entry is gone');
  assert.deepEqual(await drain(await l!.compressed()), blob);
  assert.equal(counts.compressed, 2);
  assert.deepEqual(await readFile(path), blob);
});

test('layerByDigest and layerByDiffID go through the cache too', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const src = random.image(4 * 1024, 2, { seed: 'img-5' });
  const img = image(src, c);
  const [a, b] = await src.layers();
  await drain(await (await img.layerByDigest(await a!.digest())).compressed());
  await drain(await (await img.layerByDiffID(await b!.diffID())).uncompressed());
  assert.deepEqual((await readdir(dir)).sort(), [(await a!.digest()).toString(), (await b!.diffID()).toString()].sort());
});

test('partial.uncompressedSize of a cached layer reads through the cache', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const src = random.image(4 * 1024, 1, { seed: 'img-6' });
  const [l] = await image(src, c).layers();
  const size = await partial.uncompressedSize(l!);
  const [orig] = await src.layers();
  assert.equal(size, (await drain(await orig!.uncompressed())).length);
  assert.deepEqual(await readdir(dir), [(await l!.diffID()).toString()]);
});

test('partial.uncompressedSize of a layer whose tar is cached reads nothing: the size is the entry\'s', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const counts = { compressed: 0, uncompressed: 0 };
  const src = random.image(64 * 1024, 1, { seed: 'img-8' });
  const [l] = await image(counting(src, counts), c).layers();
  const tar = await drain(await l!.uncompressed());
  const [again] = await image(counting(src, counts), c).layers();
  let size = 0;
  // What the legacy writer does: the size for the tar header, then the bytes.
  assert.equal(await bytesHashed(async () => (size = await partial.uncompressedSize(again!))), 0, 'no byte read to count them');
  assert.equal(size, tar.length);
  assert.deepEqual(await drain(await again!.uncompressed()), tar);
  assert.equal(counts.uncompressed, 1, 'the source was read once, to fill the cache');
});

test('a cached index wraps every child image', async (t) => {
  const dir = await tempDir(t);
  const c = filesystemCache(dir);
  const idx = imageIndex(random.index(2 * 1024, 1, 2, { seed: 'idx-1' }), c);
  const m = await idx.indexManifest();
  for (const d of m.manifests) {
    const img = await idx.image(d.digest);
    for (const l of await img.layers()) await drain(await l.compressed());
  }
  assert.equal((await readdir(dir)).length, 2);
  await validate.index(idx);
});

test('through a read-only cache, hits are served but nothing is written or deleted', async (t) => {
  const dir = await tempDir(t);
  const fs = filesystemCache(dir);
  const ro = readOnly(fs);
  const counts = { compressed: 0, uncompressed: 0 };
  const src = random.image(4 * 1024, 2, { seed: 'img-7' });
  const [a, b] = await image(counting(src, counts), ro).layers();
  await drain(await a!.compressed());
  assert.deepEqual(await readdir(dir).catch(() => []), [], 'a miss is not stored');
  // Warm one entry through the writable cache, then read it through the read-only one.
  await drain(await (await image(src, fs).layers())[1]!.compressed());
  const before = counts.compressed;
  await drain(await b!.compressed());
  assert.equal(counts.compressed, before, 'the hit came from the cache');
  await ro.delete(await b!.digest());
  assert.deepEqual(await readdir(dir), [(await b!.digest()).toString()]);
  const l = await src.layers();
  assert.equal(await ro.put(l[0]!), l[0], 'put hands the layer back as it was');
});
