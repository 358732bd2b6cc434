import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasCode } from '../errors/index.ts';
import { Hash } from '../v1/hash.ts';
import { SIZE_UNKNOWN, verifiedAs, verifyStream } from '../internal/verify/index.ts';
import { pipe } from '../internal/pipe/index.ts';
import { verifiedTee, type TeeSink } from './verified-tee.ts';
import { buffer as drain } from 'node:stream/consumers';

class MemorySink implements TeeSink {
  chunks: Buffer[] = [];
  committed = false;
  aborted = false;
  writeDelayMs: number;
  constructor(writeDelayMs = 0) {
    this.writeDelayMs = writeDelayMs;
  }
  async write(chunk: Buffer): Promise<void> {
    if (this.writeDelayMs) await sleep(this.writeDelayMs);
    this.chunks.push(chunk);
  }
  async commit(): Promise<void> {
    this.committed = true;
  }
  async abort(): Promise<void> {
    this.aborted = true;
  }
}

function chunks(n: number, size: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => Buffer.alloc(size, i % 251));
}

test('bytes pass through unchanged and the copy is committed once the digest and size match', async () => {
  const parts = chunks(5, 1000);
  const all = Buffer.concat(parts);
  const sink = new MemorySink();
  const out = verifiedTee(Readable.from(parts), async () => sink, { digest: Hash.of(all), size: all.length, what: 'blob' });
  assert.deepEqual(await drain(out), all);
  assert.equal(sink.committed, true);
  assert.equal(sink.aborted, false);
  assert.deepEqual(Buffer.concat(sink.chunks), all);
});

test('a digest mismatch fails the stream and aborts the copy', async () => {
  const sink = new MemorySink();
  const out = verifiedTee(Readable.from([Buffer.from('hello')]), async () => sink, { digest: Hash.of('other'), size: SIZE_UNKNOWN, what: 'blob x' });
  await assert.rejects(drain(out), (err) => hasCode(err, 'ERR_DIGEST_MISMATCH') && /blob x/.test((err as Error).message));
  assert.equal(sink.committed, false);
  assert.equal(sink.aborted, true);
});

test('a stream longer than its size fails at the first byte too many', async () => {
  const sink = new MemorySink();
  const parts = chunks(4, 100);
  const out = verifiedTee(Readable.from(parts), async () => sink, { digest: Hash.of(Buffer.concat(parts)), size: 150, what: 'blob' });
  await assert.rejects(drain(out), (err) => hasCode(err, 'ERR_SIZE_MISMATCH'));
  assert.equal(sink.committed, false);
  assert.equal(sink.aborted, true);
  // Only what fitted went to the sink before the failure.
  assert.ok(Buffer.concat(sink.chunks).length <= 150);
});

test('destroying the stream part-way aborts the copy and never commits', async () => {
  const parts = chunks(50, 64 * 1024);
  const sink = new MemorySink();
  const out = verifiedTee(Readable.from(parts), async () => sink, { digest: Hash.of(Buffer.concat(parts)), size: SIZE_UNKNOWN, what: 'blob' });
  for await (const _ of out) break; // the iterator's return destroys the stream
  await new Promise<void>((r) => (out.closed ? r() : out.once('close', () => r())));
  assert.equal(sink.committed, false);
  assert.equal(sink.aborted, true);
});

test('a slow sink holds the source back: the tee does not read ahead without bound', async () => {
  const total = 64;
  const size = 64 * 1024;
  let pulled = 0;
  const source = new Readable({
    highWaterMark: size,
    read() {
      if (pulled === total) return void this.push(null);
      pulled++;
      this.push(Buffer.alloc(size, pulled));
    },
  });
  const sink = new MemorySink(2);
  let maxAhead = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const origWrite = sink.write.bind(sink);
  sink.write = async (chunk) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    maxAhead = Math.max(maxAhead, pulled - sink.chunks.length);
    await origWrite(chunk);
    inFlight--;
  };
  const all: Buffer[] = [];
  for (let i = 0; i < total; i++) all.push(Buffer.alloc(size, i + 1));
  const out = verifiedTee(source, async () => sink, { digest: Hash.of(Buffer.concat(all)), size: total * size, what: 'blob' });
  // The reader is fast: it takes each chunk at once, so only the sink can slow things down.
  const got = await drain(out);
  assert.equal(got.length, total * size);
  assert.equal(sink.committed, true);
  // Source buffer + the tee's writable buffer + one chunk in the sink: a handful, not all 64.
  assert.equal(maxInFlight, 1, 'one write at a time');
  assert.ok(maxAhead <= 6, `the source ran ${maxAhead} chunks ahead of the sink`);
});

test('a sink that cannot be opened fails the stream', async () => {
  const out = verifiedTee(Readable.from([Buffer.from('x')]), async () => {
    throw new Error('no room');
  }, { digest: Hash.of('x'), size: 1, what: 'blob' });
  await assert.rejects(drain(out), /no room/);
});

test('a source that verifies itself is not checked again, and its failure still aborts the copy', async () => {
  const parts = chunks(4, 1000);
  const all = Buffer.concat(parts);
  const digest = Hash.of(all);
  const good = new MemorySink();
  const out = verifiedTee(pipe(Readable.from(parts), verifyStream({ digest, size: all.length })), async () => good, { digest, size: all.length, what: 'blob' });
  assert.deepEqual(verifiedAs(out), { digest, size: all.length }, 'the result carries the mark for sinks further down');
  assert.deepEqual(await drain(out), all);
  assert.equal(good.committed, true);

  const bad = Buffer.from(all);
  bad[10]! ^= 1;
  const sink = new MemorySink();
  const lying = pipe(Readable.from([bad]), verifyStream({ digest, size: all.length, what: 'blob y' }));
  await assert.rejects(drain(verifiedTee(lying, async () => sink, { digest, size: all.length, what: 'blob' })), (err) => hasCode(err, 'ERR_DIGEST_MISMATCH') && /blob y/.test((err as Error).message));
  assert.equal(sink.committed, false);
  assert.equal(sink.aborted, true);
});

test('a reader that destroys the stream from its data handler, while a chunk is being stored, aborts the copy and nothing writes after', async () => {
  const parts = chunks(20, 16 * 1024);
  const sink = new MemorySink(1);
  let writesAfterAbort = 0;
  const write = sink.write.bind(sink);
  sink.write = (chunk) => {
    if (sink.aborted) writesAfterAbort++;
    return write(chunk);
  };
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => void uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const out = verifiedTee(Readable.from(parts), async () => sink, { digest: Hash.of(Buffer.concat(parts)), size: SIZE_UNKNOWN, what: 'blob' });
    let seen = 0;
    // 'data' runs inside the tee's push, so this destroy lands in the middle of its transform.
    out.on('data', () => {
      if (++seen === 3) out.destroy();
    });
    await new Promise<void>((r) => out.once('close', () => r()));
    await sleep(20);
  } finally {
    process.off('uncaughtException', onUncaught);
  }
  assert.deepEqual(uncaught, []);
  assert.equal(sink.aborted, true);
  assert.equal(sink.committed, false);
  assert.equal(writesAfterAbort, 0);
});
