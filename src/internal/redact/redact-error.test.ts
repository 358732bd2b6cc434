import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DigestMismatchError } from '../../errors/index.ts';
import { redactError, redactText } from './redact-error.ts';

test('URLs in text are redacted, surrounding punctuation kept', () => {
  assert.equal(
    redactText('GET https://s3.example/b?sig=abc&digest=sha256:1. Then (see https://u:p@h/x?t=1), done'),
    'GET https://s3.example/b?sig=REDACTED&digest=sha256%3A1. Then (see https://REDACTED@h/x?t=REDACTED), done',
  );
  assert.equal(redactText('no urls here'), 'no urls here');
});

test('errors are redacted in place, keeping class, code and cause', () => {
  const cause = Object.assign(new Error('connect ECONNRESET https://cdn.example/x?token=t0p'), { code: 'ECONNRESET' });
  const err = new DigestMismatchError('digest mismatch for https://r.example/v2/x/blobs/sha256:1?sig=zzz', 'a', 'b', { cause });
  const same = redactError(err);
  assert.equal(same, err);
  assert.ok(same instanceof DigestMismatchError);
  assert.equal(same.code, 'ERR_DIGEST_MISMATCH');
  assert.equal(same.message, 'digest mismatch for https://r.example/v2/x/blobs/sha256:1?sig=REDACTED');
  assert.doesNotMatch(String(same.stack), /zzz/);
  assert.equal(cause.message, 'connect ECONNRESET https://cdn.example/x?token=REDACTED');
  assert.equal(cause.code, 'ECONNRESET');
});

test('a url property, aggregate errors and cycles are handled', () => {
  const inner = Object.assign(new Error('inner https://h/?k=v'), { url: 'https://h/?k=v' });
  const agg = new AggregateError([inner], 'all failed');
  (inner as Error & { cause?: unknown }).cause = agg;
  redactError(agg);
  assert.equal(inner.message, 'inner https://h/?k=REDACTED');
  assert.equal(inner.url, 'https://h/?k=REDACTED');
});

test('non-errors and read-only messages pass through', () => {
  assert.equal(redactError('plain string https://h/?k=v'), 'plain string https://h/?k=v');
  assert.equal(redactError(undefined), undefined);
  const dom = new DOMException('failed https://h/?k=v', 'NetworkError');
  assert.equal(redactError(dom), dom);
});
