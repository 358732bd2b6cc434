import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { isTemporary } from '../../internal/retry/index.ts';
import { errorFromResponse } from './check-response.ts';
import { ErrorCode, isTransportError, TransportError } from './errors.ts';
import { parseWarnings } from './warning.ts';

const response = (status: number, body: string | Readable, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: typeof body === 'string' ? Readable.from([Buffer.from(body)]) : body,
});

test("one diagnostic: ggcr's message, the code kept verbatim, detail appended", async () => {
  const body = JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { tag: 'v1' } }] });
  const err = await errorFromResponse(response(404, body), 'GET', 'https://r.example/v2/app/manifests/v1');
  assert.equal(err.message, 'GET https://r.example/v2/app/manifests/v1: MANIFEST_UNKNOWN: manifest unknown; {"tag":"v1"}');
  assert.equal(err.code, 'ERR_REGISTRY');
  assert.equal(err.status, 404);
  assert.deepEqual(err.diagnostics, [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { tag: 'v1' } }]);
  assert.equal(err.method, 'GET');
  assert.equal(isTransportError(err, ErrorCode.MANIFEST_UNKNOWN), true);
  assert.equal(isTransportError(err, 404), true);
  assert.equal(isTransportError(err, ErrorCode.BLOB_UNKNOWN, 500), false);
  assert.equal(isTransportError(new Error('x')), false);
});

test('several diagnostics are joined; entries without a code are skipped', async () => {
  const body = JSON.stringify({ errors: [{ code: 'DENIED', message: 'no' }, { message: 'no code' }, { code: 'UNAUTHORIZED', message: 'log in', detail: 'x' }] });
  const err = await errorFromResponse(response(403, body), 'PUT', 'https://r.example/v2/a/manifests/t');
  assert.equal(err.message, 'PUT https://r.example/v2/a/manifests/t: multiple errors returned: DENIED: no; UNAUTHORIZED: log in; x');
  assert.equal(err.diagnostics.length, 2);
});

test('no body: the status; for HEAD a hint that HEAD has none', async () => {
  assert.equal((await errorFromResponse(response(404, ''), 'HEAD', 'https://r/v2/a/blobs/x')).message,
    'HEAD https://r/v2/a/blobs/x: unexpected status code 404 Not Found (HEAD responses have no body, use GET for details)');
  assert.equal((await errorFromResponse(response(404, ''), 'GET', 'https://r/v2/')).message, 'GET https://r/v2/: unexpected status code 404 Not Found');
});

test('a body without diagnostics is shown shortened, its URLs redacted; the request URL too', async () => {
  const html = `<html>bad gateway, see https://status.example/?token=hunter2 ${'x'.repeat(5000)}</html>`;
  const err = await errorFromResponse(response(502, html), 'GET', 'https://cdn.example/blob?X-Amz-Signature=s3cr3t&digest=sha256:1');
  assert.match(err.message, /^GET https:\/\/cdn\.example\/blob\?X-Amz-Signature=REDACTED&digest=sha256%3A1: unexpected status code 502 Bad Gateway: <html>bad gateway/);
  assert.doesNotMatch(err.message, /hunter2|s3cr3t/);
  assert.ok(err.message.length < 1300, `message of ${err.message.length} chars`);
  assert.ok(err.message.endsWith('…'));
});

test('an oversized error body is read only up to 64 KiB and the stream destroyed', async () => {
  let produced = 0;
  const endless = new Readable({
    read() {
      produced += 16384;
      this.push(Buffer.alloc(16384, 'a'));
    },
  });
  const err = await errorFromResponse(response(500, endless), 'GET', 'https://r/v2/');
  assert.equal(err.status, 500);
  assert.ok(produced <= 256 * 1024, `read ${produced} bytes`);
  assert.ok(endless.destroyed);
  assert.match(err.message, /unexpected status code 500 Internal Server Error: a+…$/);
});

test('Retry-After is kept for whole-operation retries', async () => {
  const err = await errorFromResponse(response(429, '', { 'retry-after': '7' }), 'GET', 'https://r/v2/');
  assert.equal(err.retryAfterMs, 7000);
  assert.equal((await errorFromResponse(response(503, ''), 'GET', 'https://r/')).retryAfterMs, undefined);
});

test("temporary follows ggcr: retryable statuses without diagnostics, or only retryable codes", () => {
  const make = (status: number, codes: string[] = []) =>
    new TransportError({ status, method: 'GET', url: 'https://r/', diagnostics: codes.map((code) => ({ code, message: '' })) });
  for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(make(s).temporary, true, String(s));
  for (const s of [400, 401, 403, 404, 499, 522]) assert.equal(make(s).temporary, false, String(s));
  assert.equal(make(500, ['UNKNOWN', 'TOOMANYREQUESTS']).temporary, true);
  assert.equal(make(400, ['BLOB_UPLOAD_INVALID', 'UNAVAILABLE']).temporary, true);
  assert.equal(make(503, ['UNKNOWN', 'DENIED']).temporary, false);
  // The shared retry predicate sees it through the getter.
  assert.equal(isTemporary(make(503)), true);
  assert.equal(isTemporary(make(404)), false);
});

test('Warning headers: code 299 texts, several per header, escapes undone', () => {
  assert.deepEqual(parseWarnings('299 - "this repository is deprecated"'), ['this repository is deprecated']);
  assert.deepEqual(parseWarnings(['299 - "a \\"quoted\\" word", 299 registry "b" "Sat, 01 Jan 2000 00:00:00 GMT"', '199 - "misc"']), ['a "quoted" word', 'b']);
  assert.deepEqual(parseWarnings(undefined), []);
  assert.deepEqual(parseWarnings('garbage'), []);
});
