import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTemporary } from './temporary.ts';

const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

test('connection breakage that ggcr retries is temporary', () => {
  for (const code of ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET',
    'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']) {
    assert.equal(isTemporary(coded(code)), true, code);
  }
});

test('refused connections, unknown hosts and plain errors are not', () => {
  for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'ERR_DIGEST_MISMATCH', 'ERR_BAD_NAME']) {
    assert.equal(isTemporary(coded(code)), false, code);
  }
  assert.equal(isTemporary(new Error('manifest unknown')), false);
  assert.equal(isTemporary(undefined), false);
  assert.equal(isTemporary('ECONNRESET'), false);
});

test('looks through cause chains, as fetch wraps socket errors', () => {
  const fetchFailed = new TypeError('fetch failed', { cause: coded('UND_ERR_SOCKET', 'other side closed') });
  assert.equal(isTemporary(fetchFailed), true);
  assert.equal(isTemporary(new Error('outer', { cause: new Error('middle', { cause: coded('ECONNRESET') }) })), true);
});

test('an AggregateError is temporary if any connection attempt was', () => {
  assert.equal(isTemporary(new AggregateError([coded('ECONNREFUSED'), coded('ETIMEDOUT')])), true);
  assert.equal(isTemporary(new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')])), false);
});

test('errors that say they are temporary are, by flag or method', () => {
  assert.equal(isTemporary(Object.assign(new Error('503'), { temporary: true })), true);
  assert.equal(isTemporary(Object.assign(new Error('429'), { temporary: () => true })), true);
  assert.equal(isTemporary(Object.assign(new Error('404'), { temporary: () => false })), false);
});

test('the caller\'s abort or timeout is never temporary, even over a reset', () => {
  const abort = new DOMException('This operation was aborted', 'AbortError');
  assert.equal(isTemporary(abort), false);
  assert.equal(isTemporary(new DOMException('timed out', 'TimeoutError')), false);
  assert.equal(isTemporary(Object.assign(new Error('aborted', { cause: coded('ECONNRESET') }), { name: 'AbortError' })), false);
  assert.equal(isTemporary(coded('UND_ERR_ABORTED')), false);
});

test('a cyclic cause chain does not hang', () => {
  const a: Error & { cause?: unknown } = coded('ECONNRESET');
  const b = new Error('b', { cause: a });
  a.cause = b;
  assert.equal(isTemporary(b), true);
});
