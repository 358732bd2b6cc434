import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NotComputedError } from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';
import { hashingStream } from './hashing-stream.ts';

test('passes bytes through and knows digest and size at the end', async () => {
  const data = Buffer.from('some layer bytes'.repeat(5000));
  const h = hashingStream();
  const out: Buffer[] = [];
  await pipeline(Readable.from([data.subarray(0, 33), data.subarray(33)], { objectMode: false }), h, async (s: AsyncIterable<Buffer>) => {
    for await (const c of s) out.push(c);
  });
  assert.deepEqual(Buffer.concat(out), data);
  assert.equal(h.digest.toString(), Hash.of(data).toString());
  assert.equal(h.size, data.length);
});

test('the digest is refused before the end; size counts as it goes', async () => {
  const h = hashingStream('sha512');
  assert.throws(() => h.digest, NotComputedError);
  h.write(Buffer.from('abc'));
  h.read();
  assert.equal(h.size, 3);
  assert.throws(() => h.digest, NotComputedError);
  h.end();
  h.resume();
  await new Promise((resolve) => h.once('end', resolve));
  assert.equal(h.digest.toString(), Hash.of('abc', 'sha512').toString());
});

test('an empty stream has the empty digest', async () => {
  const h = hashingStream();
  await pipeline(Readable.from([], { objectMode: false }), h, async (s: AsyncIterable<Buffer>) => {
    for await (const _ of s);
  });
  assert.equal(h.digest.hex, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(h.size, 0);
});
