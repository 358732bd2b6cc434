import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import * as random from '../random/index.ts';
import * as types from '../types/index.ts';
import { Tag } from '../name/index.ts';
import type { Layer } from '../v1/interfaces.ts';
import type { Update } from '../v1/progress.ts';
import { calculateSize } from './write-plan.ts';
import { multiRefWrite, write } from './write.ts';
import { multiRefWriteToFile, multiWriteToFile, writeToFile } from './write-file.ts';
import { collect, imageOf } from './write.test-fixtures.ts';
import { imageFromPath } from './image.ts';
import * as validate from '../validate/index.ts';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tarball-write-file-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A layer whose compressed stream is `make()` while every other fact comes from a real layer. */
function layerWithStream(real: Layer, make: () => Readable): Layer {
  return {
    digest: () => real.digest(),
    diffID: () => real.diffID(),
    size: () => real.size(),
    mediaType: () => real.mediaType(),
    uncompressed: (o) => real.uncompressed(o),
    compressed: async () => make(),
  };
}

test('writeToFile lands the same bytes write() streams, and only the target is left in the folder', async () => {
  await withDir(async (dir) => {
    const img = random.image(2000, 2, { seed: 'file' });
    const ref = Tag.parse('registry.example/file:v1');
    const path = join(dir, 'out.tar');
    await writeToFile(path, ref, img);
    assert.deepEqual(await readFile(path), await collect(write(ref, img)));
    assert.deepEqual(await readdir(dir), ['out.tar']);
  });
});

test('multiWriteToFile and multiRefWriteToFile write every image', async () => {
  await withDir(async (dir) => {
    const a = random.image(100, 1, { seed: 'a' });
    const b = random.image(100, 1, { seed: 'b' });
    const images = [[Tag.parse('a:1'), a] as const, [Tag.parse('b:1'), b] as const];
    await multiWriteToFile(join(dir, 'm.tar'), images);
    await multiRefWriteToFile(join(dir, 'r.tar'), images);
    const expected = await collect(multiRefWrite(images));
    assert.deepEqual(await readFile(join(dir, 'm.tar')), expected);
    assert.deepEqual(await readFile(join(dir, 'r.tar')), expected);
  });
});

test('a layer failing mid-stream leaves the existing target untouched and no temp file', async () => {
  await withDir(async (dir) => {
    const real = random.layer(100_000, types.DockerLayer, { seed: 'fail' });
    const broken = layerWithStream(real, () => {
      const s = new PassThrough();
      s.write(Buffer.alloc(70_000));
      setImmediate(() => s.destroy(new Error('connection reset by peer')));
      return s;
    });
    const img = await imageOf([random.layer(100, types.DockerLayer, { seed: 'ok' }), broken]);
    const path = join(dir, 'out.tar');
    await writeFile(path, 'previous contents');
    const updates: Update[] = [];
    await assert.rejects(
      writeToFile(path, Tag.parse('x:1'), img, { onProgress: (u) => updates.push(u) }),
      /connection reset by peer/,
    );
    assert.equal(await readFile(path, 'utf8'), 'previous contents');
    assert.deepEqual(await readdir(dir), ['out.tar']);
    assert.equal(updates.filter((u) => u.error).length, 1, 'exactly one error update');
    assert.ok(updates.some((u) => u.complete > 0 && !u.error), 'bytes had been written before the failure');
  });
});

test('abort mid-write: rejects with the abort, nothing under the target name, temp file removed', async () => {
  await withDir(async (dir) => {
    const real = random.layer(1000, types.DockerLayer, { seed: 'abort' });
    const stalled = new PassThrough();
    const img = await imageOf([
      layerWithStream(real, () => {
        stalled.write(Buffer.alloc(100));
        return stalled;
      }),
    ]);
    const controller = new AbortController();
    const path = join(dir, 'out.tar');
    const done = writeToFile(path, Tag.parse('x:1'), img, { signal: controller.signal });
    // Abort once the temp file has bytes in it: the write is genuinely in progress.
    for (let i = 0; i < 200; i++) {
      const names = await readdir(dir);
      if (names.length === 1 && (await stat(join(dir, names[0]!))).size > 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.match((await readdir(dir))[0] ?? '', /^\.tmp-out\.tar-[0-9a-f]{12}$/);
    controller.abort();
    await assert.rejects(done, { name: 'AbortError' });
    assert.equal(existsSync(path), false);
    assert.deepEqual(await readdir(dir), []);
    assert.ok(stalled.destroyed);
  });
});

test('progress totals equal the final file size, and the last update comes once the file is in place', async () => {
  await withDir(async (dir) => {
    const img = random.image(50_000, 3, { seed: 'progress-file' });
    const ref = Tag.parse('p:1');
    const path = join(dir, 'p.tar');
    const updates: Update[] = [];
    let existedAtLast = false;
    await writeToFile(path, ref, img, {
      onProgress: (u) => {
        updates.push(u);
        if (u.complete === u.total) existedAtLast = existsSync(path);
      },
    });
    const size = (await stat(path)).size;
    assert.equal(size, await calculateSize([[ref, img]]));
    assert.deepEqual(updates[0], { total: size, complete: 0 });
    assert.deepEqual(updates.at(-1), { total: size, complete: size });
    assert.equal(updates.filter((u) => u.complete === u.total).length, 1);
    assert.ok(existedAtLast, 'the final update came after the rename');
  });
});

test('a target in a missing folder fails with ENOENT and reports it to progress', async () => {
  await withDir(async (dir) => {
    const updates: Update[] = [];
    const img = random.image(10, 1, { seed: 'enoent' });
    await assert.rejects(
      writeToFile(join(dir, 'no', 'such', 'x.tar'), Tag.parse('x:1'), img, { onProgress: (u) => updates.push(u) }),
      { code: 'ENOENT' },
    );
    assert.equal(updates.filter((u) => u.error).length, 1);
  });
});

test('what we write, our reader reads back whole: each tag gives a valid image with the same config and layers', async () => {
  await withDir(async (dir) => {
    const a = random.image(3000, 2, { seed: 'rt-a' });
    const b = random.image(3000, 1, { seed: 'rt-b', compression: 'zstd', format: 'oci' });
    const path = join(dir, 'rt.tar');
    await multiWriteToFile(path, [
      [Tag.parse('a:1'), a],
      [Tag.parse('b:1'), b],
    ]);
    for (const [tag, img] of [['a:1', a], ['b:1', b]] as const) {
      const back = await imageFromPath(path, { tag });
      await validate.image(back);
      assert.equal((await back.configName()).toString(), (await img.configName()).toString());
      const digests = async (i: typeof img) => (await i.manifest()).layers.map((l) => l.digest.toString());
      assert.deepEqual(await digests(back), await digests(img));
    }
  });
});
