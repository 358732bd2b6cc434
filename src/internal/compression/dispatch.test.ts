import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { CompressionError } from '../../errors/index.ts';
import { detectCompression, type Compression } from './detect.ts';
import { autoDecompress, compressStream, decompressStream } from './dispatch.ts';
import { zstdBackend } from './zstd.ts';
import { through } from './codec.test-fixtures.ts';

const data = Buffer.from('layer contents '.repeat(10_000));

const kinds: Compression[] = ['none', 'gzip', 'zstd'];
const native = (await zstdBackend()) === 'native';

for (const kind of kinds) {
  test(`compressStream and autoDecompress agree for ${kind}`, async (t) => {
    if (kind === 'zstd' && !native) return t.skip('zstd-napi not loadable: zstd compression unavailable');
    const compressed = await through(data, compressStream(kind));
    assert.equal(detectCompression(compressed), kind);
    assert.deepEqual(await through(compressed, decompressStream(kind)), data);
    const auto = await autoDecompress(Readable.from([compressed], { objectMode: false }));
    assert.deepEqual(Buffer.concat(await auto.toArray()), data);
  });
}

test('compressStream passes the level on', async () => {
  const fast = await through(data, compressStream('gzip'));
  const best = await through(data, compressStream('gzip', { level: 9 }));
  assert.notDeepEqual(fast, best);
  assert.deepEqual(await through(best, decompressStream('gzip')), data);
});

test('autoDecompress reports codec errors on the returned stream, naming what', async () => {
  const corrupt = Buffer.concat([gzipSync(data).subarray(0, 40), Buffer.alloc(40, 0xff)]);
  const out = await autoDecompress(Readable.from([corrupt], { objectMode: false }), { what: 'blob sha256:1' });
  await assert.rejects(out.toArray(), (err: unknown) => {
    assert.ok(err instanceof CompressionError);
    assert.match(err.message, /gzip data of blob sha256:1/);
    return true;
  });
});

test('destroying the stream from autoDecompress destroys the source', async () => {
  const compressed = gzipSync(data);
  let sent = false;
  const source = new Readable({
    read() {
      if (!sent) this.push(compressed.subarray(0, 100));
      sent = true;
    },
  });
  const out = await autoDecompress(source);
  out.destroy();
  for (let i = 0; i < 5 && !source.destroyed; i++) await tick();
  assert.equal(source.destroyed, true);
});
