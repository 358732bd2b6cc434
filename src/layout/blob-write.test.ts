import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delegateImage } from '../v1/delegate.test-fixtures.ts';
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as random from '../random/index.ts';
import { empty } from '../index.ts';
import { Hash } from '../v1/hash.ts';
import type { Layer } from '../v1/interfaces.ts';
import { compressedToImage } from '../partial/image.ts';
import { newLayer } from '../stream/index.ts';
import { LayoutPath, write } from './index.ts';
import { listFiles, tempFolder } from './layout.test-fixtures.ts';

/** A source that yields `good` bytes, then fails (a dropped connection). */
function failingAfter(good: Buffer, err: Error): Readable {
  return Readable.from(
    (async function* () {
      yield good;
      await new Promise((r) => setTimeout(r, 5));
      throw err;
    })(),
    { objectMode: false },
  );
}

/** A source that yields `chunk` every few milliseconds, forever. */
function endless(chunk: Buffer): Readable {
  return Readable.from(
    (async function* () {
      for (;;) {
        yield chunk;
        await new Promise((r) => setTimeout(r, 2));
      }
    })(),
    { objectMode: false },
  );
}

test('writeBlob lands verified bytes under the digest; a present blob of the right size is reused', async () => {
  const { dir, cleanup } = await tempFolder('blob');
  try {
    const lp = new LayoutPath(dir);
    const data = Buffer.from('some blob bytes');
    const h = Hash.of(data);
    await lp.writeBlob(h, Readable.from([data]), { size: data.length });
    assert.deepEqual(await readFile(join(dir, 'blobs', 'sha256', h.hex)), data);
    const before = await stat(join(dir, 'blobs', 'sha256', h.hex));

    let opened = false;
    const second = new Readable({ read() { opened = true; this.push(null); } });
    await lp.writeBlob(h, second, { size: data.length });
    assert.equal(opened, false, 'the stream of a present blob is not read');
    assert.equal(second.destroyed, true, 'and it is closed');
    assert.equal((await stat(join(dir, 'blobs', 'sha256', h.hex))).ino, before.ino);
    assert.deepEqual(await listFiles(dir), [`blobs/sha256/${h.hex}`]);
  } finally {
    await cleanup();
  }
});

test('a blob whose bytes do not match its digest or size is not kept', async () => {
  const { dir, cleanup } = await tempFolder('mismatch');
  try {
    const lp = new LayoutPath(dir);
    const h = Hash.of('expected');
    await assert.rejects(lp.writeBlob(h, Readable.from([Buffer.from('something else')])), { code: 'ERR_DIGEST_MISMATCH' });
    await assert.rejects(lp.writeBlob(h, Readable.from([Buffer.from('expected')]), { size: 3 }), { code: 'ERR_SIZE_MISMATCH' });
    assert.deepEqual(await listFiles(dir), []);
  } finally {
    await cleanup();
  }
});

test('an aborted or failing layer write leaves no file under its name and no temporary file', async () => {
  const { dir, cleanup } = await tempFolder('interrupt');
  try {
    const lp = await write(dir, empty.index());
    const filesBefore = await listFiles(dir);
    const base = random.image(64, 1, { seed: 'interrupt' });
    const digest = Hash.of('never fully written');
    const layerFrom = (open: () => Promise<Readable>): Layer => ({
      digest: async () => digest,
      diffID: async () => digest,
      size: async () => 10 * 1024 * 1024,
      mediaType: async () => 'application/vnd.oci.image.layer.v1.tar+gzip',
      compressed: open,
      uncompressed: open,
    });
    const imageWith = (layer: Layer) =>
      compressedToImage({
        rawConfigFile: () => base.rawConfigFile(),
        mediaType: () => base.mediaType(),
        rawManifest: async () =>
          Buffer.from(JSON.stringify({ ...JSON.parse((await base.rawManifest()).toString()), layers: [{ mediaType: await layer.mediaType(), size: await layer.size(), digest: String(digest) }] })),
        layerByDigest: async () => layer,
      });

    const controller = new AbortController();
    const reason = new Error('user pressed ^C');
    setTimeout(() => controller.abort(reason), 30);
    await assert.rejects(lp.appendImage(imageWith(layerFrom(async () => endless(Buffer.alloc(4096)))), { signal: controller.signal }), reason);

    const dropped = new Error('connection reset');
    await assert.rejects(lp.appendImage(imageWith(layerFrom(async () => failingAfter(Buffer.alloc(1000), dropped)))), dropped);

    assert.deepEqual(await listFiles(dir), filesBefore, 'no blob, no temp file, index.json unchanged');
    assert.equal((await (await lp.imageIndex()).indexManifest()).manifests.length, 0);
  } finally {
    await cleanup();
  }
});

test('writeFile writes inside the layout only', async () => {
  const { dir, cleanup } = await tempFolder('writefile');
  try {
    const lp = new LayoutPath(join(dir, 'layout'));
    await lp.writeFile('notes/readme.txt', 'hello');
    assert.equal((await readFile(join(dir, 'layout', 'notes', 'readme.txt'))).toString(), 'hello');
    await assert.rejects(lp.writeFile('../escape.txt', 'x'), { code: 'ERR_UNSAFE_PATH' });
    await assert.rejects(lp.writeFile('/etc/escape.txt', 'x'), { code: 'ERR_UNSAFE_PATH' });
  } finally {
    await cleanup();
  }
});

test('layers of an image already in the layout are not read again', async () => {
  const { dir, cleanup } = await tempFolder('reuse');
  try {
    const img = random.image(2048, 3, { seed: 'reuse' });
    const lp = await write(dir, empty.index());
    await lp.writeImage(img);
    let opens = 0;
    const counting = compressedToImage({
      rawConfigFile: () => img.rawConfigFile(),
      mediaType: () => img.mediaType(),
      rawManifest: () => img.rawManifest(),
      layerByDigest: async (h) => {
        const l = await img.layerByDigest(h);
        return { digest: () => l.digest(), size: () => l.size(), mediaType: () => l.mediaType(), compressed: async () => { opens++; return l.compressed(); } };
      },
    });
    const updates: number[] = [];
    await lp.appendImage(counting, { onProgress: (u) => updates.push(u.complete) });
    assert.equal(opens, 0);
    assert.ok(updates.length > 0 && updates.at(-1)! > 0, 'present blobs still count as progress');
    // A truncated file under the name is not reused: it is replaced by the whole blob.
    const l0 = (await img.layers())[0]!;
    const path = join(dir, 'blobs', 'sha256', (await l0.digest()).hex);
    await writeFile(path, 'short');
    await lp.writeImage(counting);
    assert.equal(opens, 1);
    assert.equal((await stat(path)).size, await l0.size());
  } finally {
    await cleanup();
  }
});

test('a blobs folder made unwritable fails the write with the system error and keeps index.json', async () => {
  const { dir, cleanup } = await tempFolder('blocked');
  try {
    const lp = await write(dir, empty.index());
    await mkdir(join(dir, 'blobs'), { recursive: true });
    await writeFile(join(dir, 'blobs', 'sha256'), 'a file where a folder should be');
    await assert.rejects(lp.appendImage(random.image(64, 1, { seed: 'blocked' })), (err: NodeJS.ErrnoException) => err.code === 'EEXIST' || err.code === 'ENOTDIR');
    assert.equal((await (await lp.imageIndex()).indexManifest()).manifests.length, 0);
  } finally {
    await cleanup();
  }
});

test('a streaming layer is written under the digest it learns while being read', async () => {
  const { dir, cleanup } = await tempFolder('stream-layer');
  try {
    const base = random.image(64, 1, { seed: 'stream-base' });
    const tarBytes = await drainLayer((await base.layers())[0]!);
    const layer = newLayer(Readable.from([tarBytes]));
    await assert.rejects(layer.digest(), { code: 'ERR_NOT_COMPUTED' });
    const img = {
      ...delegateImage(base),
      layers: async () => [layer],
    };
    await new LayoutPath(dir).writeImage(img);
    const digest = await layer.digest();
    const onDisk = await readFile(join(dir, 'blobs', 'sha256', digest.hex));
    assert.ok(Hash.of(onDisk).equals(digest));
    assert.equal(onDisk.length, await layer.size());
    assert.ok(!(await listFiles(dir)).some((f) => f.includes('.tmp-')));
  } finally {
    await cleanup();
  }
});

async function drainLayer(l: Layer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await l.uncompressed()) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}


test('layers are written at most `jobs` at a time', async () => {
  const { dir, cleanup } = await tempFolder('jobs');
  try {
    const img = random.image(32 * 1024, 6, { seed: 'jobs' });
    let active = 0;
    let most = 0;
    const tracked = compressedToImage({
      rawConfigFile: () => img.rawConfigFile(),
      mediaType: () => img.mediaType(),
      rawManifest: () => img.rawManifest(),
      layerByDigest: async (h) => {
        const l = await img.layerByDigest(h);
        return {
          digest: () => l.digest(),
          size: () => l.size(),
          mediaType: () => l.mediaType(),
          compressed: async () => {
            most = Math.max(most, ++active);
            const s = await l.compressed();
            s.once('close', () => active--);
            return s;
          },
        };
      },
    });
    await new LayoutPath(dir).writeImage(tracked, { jobs: 2 });
    assert.equal(most, 2);
    assert.equal((await listFiles(dir)).length, 8);
  } finally {
    await cleanup();
  }
});
