import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { TooLargeError } from '../../errors/index.ts';
import { MANIFEST_LIMIT, SMALL_BODY_LIMIT, readAll } from './read-all.ts';

function endless(): { stream: Readable; produced: () => number } {
  let n = 0;
  const stream = new Readable({
    read() {
      n++;
      this.push(Buffer.alloc(1024, 0x61));
    },
  });
  return { stream, produced: () => n };
}

test('the limits are ggcr\'s', () => {
  assert.equal(MANIFEST_LIMIT, 104_857_600);
  assert.equal(SMALL_BODY_LIMIT, 65_536);
});

test('reads everything up to and including the cap', async () => {
  const body = Buffer.from('x'.repeat(1000));
  const parts = [body.subarray(0, 10), body.subarray(10, 500), body.subarray(500)];
  assert.deepEqual(await readAll(Readable.from(parts, { objectMode: false }), { max: 1000, what: 'doc' }), body);
  assert.equal((await readAll(Readable.from([], { objectMode: false }), { max: 0, what: 'doc' })).length, 0);
});

test('one byte over the cap is TooLargeError naming what and the limit', async () => {
  const body = Readable.from([Buffer.alloc(1001)], { objectMode: false });
  await assert.rejects(readAll(body, { max: 1000, what: 'manifest of x:y' }), (err: unknown) => {
    assert.ok(err instanceof TooLargeError);
    assert.equal(err.code, 'ERR_TOO_LARGE');
    assert.equal(err.limit, 1000);
    assert.equal(err.message, 'manifest of x:y is larger than the 1000-byte limit');
    return true;
  });
  await assert.rejects(readAll(Readable.from([Buffer.alloc(SMALL_BODY_LIMIT + 1)], { objectMode: false }), {
    max: SMALL_BODY_LIMIT,
    what: 'error body',
  }), /error body is larger than the 64 KiB limit/);
});

test('stops reading and destroys the source as soon as the cap is passed', async () => {
  const src = endless();
  await assert.rejects(readAll(src.stream, { max: 10 * 1024, what: 'token' }), TooLargeError);
  assert.ok(src.produced() <= 12, `source produced ${src.produced()} KiB`);
  assert.equal(src.stream.destroyed, true);
});

test('an abort destroys the source and rejects with the reason', async () => {
  const stalled = new Readable({ read() {} });
  const controller = new AbortController();
  const pending = readAll(stalled, { max: 100, what: 'doc', signal: controller.signal });
  controller.abort(new Error('cancelled by user'));
  await assert.rejects(pending, /^Error: cancelled by user$/);
  assert.equal(stalled.destroyed, true);
});

test('a source error is passed through', async () => {
  const failing = new Readable({
    read() {
      this.destroy(new Error('connection reset'));
    },
  });
  await assert.rejects(readAll(failing, { max: 100, what: 'doc' }), /connection reset/);
});
