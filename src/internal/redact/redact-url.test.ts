import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactURL } from './redact-url.ts';

test('hides every query value except the registry protocol\'s own', () => {
  const url =
    'https://bucket.s3.amazonaws.com/docker/blobs/data?X-Amz-Credential=AKIA123&X-Amz-Signature=deadbeef&digest=sha256:abc';
  const out = redactURL(url);
  assert.equal(
    out,
    'https://bucket.s3.amazonaws.com/docker/blobs/data?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&digest=sha256%3Aabc',
  );
  assert.doesNotMatch(out, /AKIA123|deadbeef/);
});

test('keeps scope, service, mount, from, digest, n and last', () => {
  const kept = new URL(redactURL(
    'https://auth.example/token?scope=repository:a/b:pull&service=reg&mount=sha256:1&from=x/y&digest=sha256:2&n=100&last=v1',
  ));
  assert.deepEqual(Object.fromEntries(kept.searchParams), {
    scope: 'repository:a/b:pull', service: 'reg', mount: 'sha256:1', from: 'x/y', digest: 'sha256:2', n: '100', last: 'v1',
  });
});

test('repeated keys are each redacted; keys are case-sensitive as in ggcr', () => {
  assert.equal(redactURL('https://h/p?token=a&token=b&Scope=c'), 'https://h/p?token=REDACTED&token=REDACTED&Scope=REDACTED');
});

test('hides userinfo', () => {
  const out = redactURL(new URL('https://alice:s3cret@registry.example/v2/'));
  assert.equal(out, 'https://REDACTED@registry.example/v2/');
  assert.equal(redactURL('https://token@h/'), 'https://REDACTED@h/');
});

test('URLs without secrets are unchanged', () => {
  assert.equal(redactURL('https://registry.example:5000/v2/library/ubuntu/manifests/24.04'),
    'https://registry.example:5000/v2/library/ubuntu/manifests/24.04');
});

test('relative references stay relative and are redacted', () => {
  assert.equal(redactURL('/v2/repo/blobs/uploads/uuid?_state=secretstate&digest=sha256:1'),
    '/v2/repo/blobs/uploads/uuid?_state=REDACTED&digest=sha256%3A1');
});

test('unparseable input loses its query', () => {
  assert.equal(redactURL('http://[broken/path?sig=abc'), 'http://[broken/path?REDACTED');
});
