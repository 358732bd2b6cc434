import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DigestMismatchError, InvalidArgumentError, SizeMismatchError } from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';
import { SIZE_UNKNOWN, verifyStream } from './verify-stream.ts';

const data = Buffer.from('0123456789'.repeat(1000));
const digest = Hash.of(data);

function chunked(bytes: Buffer, size = 1000): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks, { objectMode: false });
}

/** Runs `input` through the verifier and returns what came out, or throws its error. */
async function run(input: Readable, options: Parameters<typeof verifyStream>[0]): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(input, verifyStream(options), async (s: AsyncIterable<Buffer>) => {
    for await (const c of s) out.push(c);
  });
  return Buffer.concat(out);
}

test('matching bytes pass through unchanged', async () => {
  assert.deepEqual(await run(chunked(data), { digest, size: data.length }), data);
});

test('exactly size bytes is fine; an empty blob with size 0 too', async () => {
  assert.equal((await run(chunked(data, 7), { digest, size: 10_000 })).length, 10_000);
  const empty = Hash.of(new Uint8Array(0));
  assert.equal((await run(Readable.from([], { objectMode: false }), { digest: empty, size: 0 })).length, 0);
});

test('unknown size (-1) checks only the digest', async () => {
  assert.equal(SIZE_UNKNOWN, -1);
  assert.deepEqual(await run(chunked(data), { digest, size: SIZE_UNKNOWN }), data);
  await assert.rejects(run(chunked(data.subarray(1)), { digest, size: SIZE_UNKNOWN }), DigestMismatchError);
});

test('one byte short fails at the end with SizeMismatchError', async () => {
  await assert.rejects(run(chunked(data.subarray(0, 9_999)), { digest, size: 10_000, what: 'layer x' }), (err: unknown) => {
    assert.ok(err instanceof SizeMismatchError);
    assert.equal(err.code, 'ERR_SIZE_MISMATCH');
    assert.equal(err.expected, 10_000);
    assert.equal(err.actual, 9_999);
    assert.equal(err.message, 'size mismatch for layer x: expected 10000 bytes, got 9999');
    return true;
  });
});

test('one byte too many fails as soon as it arrives, before the rest is read', async () => {
  let produced = 0;
  // An endless source: the verifier must stop it, not wait for an end that never comes.
  const endless = new Readable({
    read() {
      produced++;
      this.push(Buffer.alloc(1000, 0x30));
    },
  });
  await assert.rejects(run(endless, { digest, size: 10_000 }), (err: unknown) => {
    assert.ok(err instanceof SizeMismatchError);
    assert.equal(err.actual, 11_000);
    assert.match(err.message, /^size mismatch for blob: expected 10000 bytes, got at least 11000$/);
    return true;
  });
  assert.ok(produced < 40, `source produced ${produced} chunks`);
  assert.equal(endless.destroyed, true);
});

test('the byte that overflows is not passed downstream', async () => {
  const seen: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      seen.push(chunk);
      done();
    },
  });
  await assert.rejects(pipeline(chunked(Buffer.concat([data, Buffer.of(1)])), verifyStream({ digest, size: 10_000 }), sink), SizeMismatchError);
  assert.ok(Buffer.concat(seen).length <= 10_000);
});

test('same size, different bytes fails with DigestMismatchError naming both digests', async () => {
  const other = Buffer.from(data);
  other[5000] = 0x41;
  await assert.rejects(run(chunked(other), { digest, size: 10_000, what: 'config' }), (err: unknown) => {
    assert.ok(err instanceof DigestMismatchError);
    assert.equal(err.code, 'ERR_DIGEST_MISMATCH');
    assert.equal(err.expected, digest.toString());
    assert.equal(err.actual, Hash.of(other).toString());
    assert.equal(err.message, `digest mismatch for config: expected ${digest}, got ${Hash.of(other)}`);
    return true;
  });
});

test('sha512 digests are verified with sha512', async () => {
  const d512 = Hash.of(data, 'sha512');
  assert.deepEqual(await run(chunked(data), { digest: d512, size: data.length }), data);
  await assert.rejects(run(chunked(data.subarray(0, 10)), { digest: d512, size: SIZE_UNKNOWN }), (err: unknown) => {
    assert.ok(err instanceof DigestMismatchError);
    assert.match(err.actual, /^sha512:[0-9a-f]{128}$/);
    return true;
  });
});

test('nonsense sizes are rejected up front', () => {
  assert.throws(() => verifyStream({ digest, size: -2 }), InvalidArgumentError);
  assert.throws(() => verifyStream({ digest, size: 1.5 }), InvalidArgumentError);
  assert.throws(() => verifyStream({ digest, size: Number.NaN }), InvalidArgumentError);
});

test('verifyOnce skips a second hash only for a stream already verified for the same digest and size', async () => {
  const { verifyOnce, verifiedAs, sameBytesAs } = await import('./verify-stream.ts');
  const { PassThrough } = await import('node:stream');
  const first = chunked(data).pipe(verifyStream({ digest, size: data.length }));
  assert.equal(verifyOnce(first, { digest, size: data.length }), first, 'same digest and size: no new stage');
  assert.equal(verifyOnce(first, { digest, size: SIZE_UNKNOWN }), first);
  assert.notEqual(verifyOnce(first, { digest, size: data.length + 1 }), first, 'another size: verified again');
  assert.notEqual(verifyOnce(first, { digest: Hash.of('other'), size: data.length }), first, 'another digest: verified again');
  const plain = chunked(data);
  assert.notEqual(verifyOnce(plain, { digest, size: data.length }), plain);
  const meter = sameBytesAs(new PassThrough(), first);
  assert.ok(verifiedAs(meter)?.digest.equals(digest));
  assert.equal(verifiedAs(sameBytesAs(new PassThrough(), plain)), undefined);
  first.resume();
});

test('a stream skipped by verifyOnce still fails when its bytes lie: the upstream check fails it', async () => {
  const { verifyOnce } = await import('./verify-stream.ts');
  const bad = Buffer.from(data);
  bad[5] = 0x41;
  const upstream = chunked(bad).pipe(verifyStream({ digest, size: data.length }));
  const out = verifyOnce(upstream, { digest, size: data.length });
  await assert.rejects(pipeline(out, new Writable({ write: (_c, _e, cb) => cb() })), DigestMismatchError);
});

test('beforeFail runs before the mismatch reaches the reader, which then gets the mismatch', async () => {
  const events: string[] = [];
  const beforeFail = async (err: Error) => {
    await new Promise((r) => setTimeout(r, 5));
    events.push(`beforeFail ${(err as DigestMismatchError).code}`);
  };
  const bad = Buffer.from(data);
  bad[0] = bad[0]! ^ 1;
  const s = chunked(bad).pipe(verifyStream({ digest, size: data.length, beforeFail }));
  s.on('error', () => events.push('error'));
  await assert.rejects(pipeline(s, new Writable({ write: (_c, _e, cb) => cb() })), DigestMismatchError);
  assert.deepEqual(events, ['beforeFail ERR_DIGEST_MISMATCH', 'error']);
  const long = chunked(Buffer.concat([data, data])).pipe(verifyStream({ digest, size: data.length, beforeFail: () => Promise.reject(new Error('ignored')) }));
  await assert.rejects(pipeline(long, new Writable({ write: (_c, _e, cb) => cb() })), SizeMismatchError);
});
