import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { peekCompression } from './peek.ts';

/** A source that counts how many chunks it has been asked for. */
function countingSource(chunks: Buffer[]): { stream: Readable; produced: () => number } {
  let i = 0;
  const stream = new Readable({
    highWaterMark: 1,
    read() {
      this.push(i < chunks.length ? chunks[i++] : null);
    },
  });
  return { stream, produced: () => i };
}

test('replays every byte, the peeked ones first', async () => {
  const data = gzipSync(Buffer.alloc(100_000, 'a'));
  const chunks = [data.subarray(0, 1), data.subarray(1, 3), data.subarray(3, 1000), data.subarray(1000)];
  const peeked = await peekCompression(Readable.from(chunks, { objectMode: false }));
  assert.equal(peeked.compression, 'gzip');
  assert.deepEqual(Buffer.concat(await peeked.stream.toArray()), data);
});

test('an empty stream is none and replays as empty', async () => {
  const peeked = await peekCompression(Readable.from([], { objectMode: false }));
  assert.equal(peeked.compression, 'none');
  assert.equal((await peeked.stream.toArray()).length, 0);
});

test('a stream shorter than the magic is none and keeps its bytes', async () => {
  const peeked = await peekCompression(Readable.from([Buffer.of(0x28, 0xb5)], { objectMode: false }));
  assert.equal(peeked.compression, 'none');
  assert.deepEqual(Buffer.concat(await peeked.stream.toArray()), Buffer.of(0x28, 0xb5));
});

test('zstd split across chunks is still recognised', async () => {
  const chunks = [Buffer.of(0x28), Buffer.of(0xb5, 0x2f), Buffer.of(0xfd, 1, 2, 3)];
  const peeked = await peekCompression(Readable.from(chunks, { objectMode: false }));
  assert.equal(peeked.compression, 'zstd');
  assert.deepEqual(Buffer.concat(await peeked.stream.toArray()), Buffer.concat(chunks));
});

test('reads lazily: the source is not drained until the result is read', async () => {
  const chunks = Array.from({ length: 100 }, (_, i) => Buffer.alloc(1024, i));
  const src = countingSource(chunks);
  const peeked = await peekCompression(src.stream);
  await tick();
  await tick();
  assert.ok(src.produced() < 10, `source produced ${src.produced()} chunks before any read`);
  assert.equal(Buffer.concat(await peeked.stream.toArray()).length, 100 * 1024);
  assert.equal(src.produced(), 100);
});

test('destroying the result destroys the source', async () => {
  const src = countingSource(Array.from({ length: 100 }, () => Buffer.alloc(1024)));
  const peeked = await peekCompression(src.stream);
  peeked.stream.destroy();
  await tick();
  await tick();
  assert.equal(src.stream.destroyed, true);
});

test('an error before the magic rejects; an error after it surfaces on the stream', async () => {
  const early = new Readable({
    read() {
      this.destroy(new Error('boom early'));
    },
  });
  await assert.rejects(peekCompression(early), /boom early/);

  let sent = false;
  const late = new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.from('plain text'));
      } else this.destroy(new Error('boom late'));
    },
  });
  const peeked = await peekCompression(late);
  assert.equal(peeked.compression, 'none');
  await assert.rejects(peeked.stream.toArray(), /boom late/);
});

test('an abort while waiting for the first bytes rejects with the reason', async () => {
  const stalled = new Readable({ read() {} });
  const controller = new AbortController();
  const pending = peekCompression(stalled, { signal: controller.signal });
  controller.abort(new Error('stop peeking'));
  await assert.rejects(pending, /stop peeking/);
  assert.equal(stalled.destroyed, true);
});

test('destroying the returned stream releases a stalled source and still closes', async () => {
  const { PassThrough } = await import('node:stream');
  const { finished } = await import('node:stream/promises');
  const { autoDecompress } = await import('./dispatch.ts');
  for (const first of [Buffer.alloc(1000, 1), gzipSync(Buffer.alloc(1 << 20)).subarray(0, 1000)]) {
    const src = new PassThrough();
    src.write(first); // and then the server stalls
    const out = await autoDecompress(src);
    out.on('error', () => {});
    out.resume();
    await new Promise((r) => setTimeout(r, 20));
    out.destroy();
    const outcome = await Promise.race([
      finished(out).then(() => 'finished', (e: { code?: string }) => e.code),
      new Promise((r) => setTimeout(() => r('hang'), 2000)),
    ]);
    assert.equal(outcome, 'ERR_STREAM_PREMATURE_CLOSE');
    assert.equal(src.destroyed, true, 'the source was released');
  }
});
