import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Decompress } from 'fzstd';
import { SteppedDecompressor, jsStepDecoder, nativeStepDecoder, type StepDecoder, type ZstdDCtx } from './zstd-decompress.ts';

const require = createRequire(import.meta.url);
const MIB = 2 ** 20;

function nativeBinding(): { DCtx: new () => ZstdDCtx; dStreamOutSize(): number; compress(b: Uint8Array, level: number): Buffer } | undefined {
  try {
    const b = require('zstd-napi/binding');
    const z = require('zstd-napi');
    return { DCtx: b.DCtx, dStreamOutSize: b.dStreamOutSize, compress: (x, level) => z.compress(x, { compressionLevel: level }) };
  } catch {
    return undefined;
  }
}

const decoders: [string, () => StepDecoder | undefined][] = [
  ['native', () => { const b = nativeBinding(); return b && nativeStepDecoder(new b.DCtx(), b.dStreamOutSize()); }],
  ['js', () => jsStepDecoder((require('fzstd') as { Decompress: typeof Decompress }).Decompress)],
];

const toError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));
const empty = () => new Error('empty');

for (const [name, make] of decoders) {
  test(`${name}: a tiny blob that expands to 64 MiB is decoded only as fast as it is read`, async (t) => {
    const b = nativeBinding();
    const decoder = make();
    if (!b || !decoder) return t.skip('zstd-napi is not installed: cannot make the test blob here');
    const blob = b.compress(Buffer.alloc(64 * MIB), 19);
    assert.ok(blob.length < 64 * 1024, `blob is ${blob.length} bytes`);
    const d = new SteppedDecompressor(decoder, toError, empty);
    d.write(blob);
    d.end();
    await new Promise((r) => setTimeout(r, 200));
    // Nobody reads: what is queued stays near the high-water mark, not the 64 MiB the blob holds.
    assert.ok(d.readableLength <= 20 * MIB, `queued ${d.readableLength} bytes with no reader`);
    let n = 0;
    await pipeline(d, new Writable({ write: (c: Buffer, _e, cb) => ((n += c.length), setImmediate(cb)) }));
    assert.equal(n, 64 * MIB);
  });
}

test('js: a frame asking for a window over 128 MiB is refused before fzstd allocates it', () => {
  const decoder = jsStepDecoder((require('fzstd') as { Decompress: typeof Decompress }).Decompress);
  // magic, descriptor (no single segment), window descriptor 0xa7 → a 2 GiB-class window.
  const header = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xa7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.throws(() => decoder.step(header), /window, over the 134217728-byte limit/);
});
