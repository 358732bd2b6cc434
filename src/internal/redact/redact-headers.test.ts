import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactHeaders } from './redact-headers.ts';

test('credentials are hidden, the auth scheme kept', () => {
  const out = redactHeaders({
    Authorization: 'Bearer eyJhbGciOi.secret',
    'proxy-authorization': 'Basic dXNlcjpwYXNz',
    Cookie: 'session=abc',
    'X-Registry-Auth': 'eyJ1c2VybmFtZSI6ImEifQ==',
    'x-registry-config': 'e30=',
    'Content-Type': 'application/json',
    'Content-Length': 42,
    'X-Absent': undefined,
  });
  assert.deepEqual(out, {
    Authorization: 'Bearer REDACTED',
    'proxy-authorization': 'Basic REDACTED',
    Cookie: 'REDACTED',
    'X-Registry-Auth': 'REDACTED',
    'x-registry-config': 'REDACTED',
    'Content-Type': 'application/json',
    'Content-Length': '42',
  });
  assert.equal(redactHeaders({ authorization: 'opaquetoken' })['authorization'], 'REDACTED');
});

test('works on fetch Headers and on pair lists, collecting repeated names', () => {
  const h = new Headers({ authorization: 'Bearer x', 'docker-content-digest': 'sha256:1' });
  assert.deepEqual(redactHeaders(h), { authorization: 'Bearer REDACTED', 'docker-content-digest': 'sha256:1' });
  const pairs: [string, string][] = [['Set-Cookie', 'a=1'], ['Set-Cookie', 'b=2'], ['Server', 'nginx']];
  assert.deepEqual(redactHeaders(pairs), { 'Set-Cookie': ['REDACTED', 'REDACTED'], Server: 'nginx' });
  assert.deepEqual(redactHeaders({ 'set-cookie': ['a=1', 'b=2'] }), { 'set-cookie': ['REDACTED', 'REDACTED'] });
});

test('signed URLs in Location and Link are redacted', () => {
  const out = redactHeaders({
    Location: 'https://cdn.example/blob?Signature=abc&Expires=1',
    Link: '</v2/_catalog?last=b&n=100&token=xyz>; rel="next"',
  });
  assert.equal(out['Location'], 'https://cdn.example/blob?Signature=REDACTED&Expires=REDACTED');
  assert.equal(out['Link'], '</v2/_catalog?last=b&n=100&token=REDACTED>; rel="next"');
});

test('the input is not modified', () => {
  const input = { Authorization: 'Bearer secret' };
  redactHeaders(input);
  assert.equal(input.Authorization, 'Bearer secret');
});
