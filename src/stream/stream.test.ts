import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import * as stream from './index.ts';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import { hasCode } from '../errors/index.ts';
import { autoDecompress } from '../internal/compression/index.ts';
import { buffer as collect } from 'node:stream/consumers';

const data = Buffer.from('x'.repeat(100_000) + 'y'.repeat(50_000));

test('digest, diffID and size are not computed before the stream is read, then they are right', async () => {
  for (const compression of ['gzip', 'zstd', 'none'] as const) {
    const l = stream.newLayer(Readable.from([data.subarray(0, 7), data.subarray(7)]), { compression });
    await assert.rejects(l.digest(), (e: unknown) => hasCode(e, 'ERR_NOT_COMPUTED'));
    await assert.rejects(l.diffID(), (e: unknown) => hasCode(e, 'ERR_NOT_COMPUTED'));
    const blob = await collect(await l.compressed());
    assert.equal((await l.digest()).toString(), Hash.of(blob).toString());
    assert.equal(await l.size(), blob.length);
    assert.equal((await l.diffID()).toString(), Hash.of(data).toString());
    assert.deepEqual(await collect(await autoDecompress(Readable.from([blob]))), data);
    await assert.rejects(l.compressed(), (e: unknown) => hasCode(e, 'ERR_CONSUMED'));
  }
});

test('media types follow the compression unless given', async () => {
  assert.equal(await stream.newLayer(Readable.from([])).mediaType(), types.DockerLayer);
  assert.equal(await stream.newLayer(Readable.from([]), { compression: 'zstd' }).mediaType(), types.OCILayerZStd);
  assert.equal(await stream.newLayer(Readable.from([]), { mediaType: types.OCILayer }).mediaType(), types.OCILayer);
});

test('level is honoured and a source error reaches the reader', async () => {
  const fast = await collect(await stream.newLayer(Readable.from([data]), { level: 1 }).compressed());
  const best = await collect(await stream.newLayer(Readable.from([data]), { level: 9 }).compressed());
  assert.deepEqual(gunzipSync(best), data);
  assert.ok(best.length <= fast.length);
  const failing = new Readable({ read() { this.destroy(new Error('disk gone')); } });
  const l = stream.newLayer(failing);
  await assert.rejects(pipeline(await l.compressed(), new Writable({ write: (_c, _e, cb) => cb() })), /disk gone/);
  await assert.rejects(l.digest(), (e: unknown) => hasCode(e, 'ERR_NOT_COMPUTED'));
});
