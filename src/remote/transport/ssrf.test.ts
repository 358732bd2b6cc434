import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalAddress, isRegistryURL, isRestrictedIP } from './host.ts';
import { checkRedirect, validateRealm } from './ssrf.ts';
import { UnsafeURLError } from './errors.ts';

test('restricted IP literals: loopback, private, link-local, shared, unspecified, mapped', () => {
  for (const ip of ['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254',
    '0.0.0.0', '100.64.0.1', '::1', '[::1]', '::', 'fd00:ec2::254', 'fc00::1', 'fe80::1', '::ffff:127.0.0.1', '[::ffff:a9fe:a9fe]', '::ffff:a00:1']) {
    assert.equal(isRestrictedIP(ip), true, ip);
  }
  for (const host of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', 'example.com', 'localhost', '10.0.0.1.example']) {
    assert.equal(isRestrictedIP(host), false, host);
  }
});

test('addresses are compared with default ports made explicit', () => {
  assert.equal(canonicalAddress('R.Example', 'https'), canonicalAddress('r.example:443', 'https:'));
  assert.notEqual(canonicalAddress('r.example', 'http'), canonicalAddress('r.example:443', 'https'));
  assert.equal(canonicalAddress('[::1]:5000', 'http'), canonicalAddress('[::1]:5000', 'https'));
  assert.equal(isRegistryURL(new URL('https://index.docker.io:443/v2/'), 'index.docker.io', 'https'), true);
  assert.equal(isRegistryURL(new URL('https://index.docker.io.evil.example/v2/'), 'index.docker.io', 'https'), false);
  assert.equal(isRegistryURL(new URL('http://127.0.0.1:5001/'), '127.0.0.1:5000', 'http'), false);
});

test('redirects to private addresses of other hosts are refused; the registry host and names are not', () => {
  const reg = 'registry.example';
  const from = 'https://registry.example/v2/a/blobs/sha256:1';
  for (const to of ['http://10.0.0.1/x', 'https://169.254.169.254/latest/meta-data/', 'http://[::1]:8080/', 'http://0.0.0.0/', 'http://[::ffff:127.0.0.1]/']) {
    assert.throws(() => checkRedirect(from, to, reg), UnsafeURLError, to);
  }
  assert.throws(() => checkRedirect(from, 'file:///etc/passwd', reg), /scheme file: is not http or https/);
  assert.throws(() => checkRedirect(from, 'gopher://x/', reg), UnsafeURLError);
  assert.equal(checkRedirect(from, 'https://cdn.example/blob?sig=1', reg).host, 'cdn.example');
  assert.equal(checkRedirect(from, 'https://8.8.8.8/blob', reg).host, '8.8.8.8');
  assert.equal(checkRedirect(from, '/v2/other', reg).href, 'https://registry.example/v2/other');
  // A registry on loopback may send us to another port of its own host, and a CDN back to it.
  assert.equal(checkRedirect('http://127.0.0.1:5000/v2/', 'http://127.0.0.1:6000/b', '127.0.0.1:5000').port, '6000');
  assert.equal(checkRedirect('https://cdn.example/', 'http://127.0.0.1:5000/b', '127.0.0.1:5000').port, '5000');
  assert.throws(() => checkRedirect('http://127.0.0.1:5000/', 'http://127.0.0.2/', '127.0.0.1:5000'), UnsafeURLError);
  // A private host redirecting to itself stays allowed (same host).
  assert.equal(checkRedirect('http://10.0.0.5/a', 'http://10.0.0.5:81/b', 'r.example').port, '81');
});

test('the refusal names the target without its secrets', () => {
  assert.throws(() => checkRedirect('https://r.example/', 'http://10.0.0.1/x?X-Amz-Signature=topsecret', 'r.example'), (err: Error) => {
    assert.doesNotMatch(err.message, /topsecret/);
    assert.match(err.message, /10\.0\.0\.1/);
    return true;
  });
});

test('token realms: https, http only for http registries, no private literals except the registry itself', () => {
  assert.equal(validateRealm('https://auth.example/token', 'r.example', false).host, 'auth.example');
  assert.throws(() => validateRealm('http://auth.example/token', 'r.example', false), /only https is allowed/);
  assert.equal(validateRealm('http://auth.example/token', 'r.example', true).protocol, 'http:');
  assert.throws(() => validateRealm('ftp://auth.example/token', 'r.example', true), /must be https/);
  assert.throws(() => validateRealm('not a url', 'r.example', true), /is not a URL/);
  assert.throws(() => validateRealm('https://169.254.169.254/token', 'r.example', false), /link-local/);
  assert.throws(() => validateRealm('https://10.0.0.1/token', 'r.example', false), UnsafeURLError);
  assert.equal(validateRealm('http://127.0.0.1:5000/token', '127.0.0.1:5000', true).pathname, '/token');
  assert.throws(() => validateRealm('http://127.0.0.1:5001/token', '127.0.0.1:5000', true), UnsafeURLError);
  assert.equal(validateRealm('https://10.0.0.5:443/token', '10.0.0.5', false).hostname, '10.0.0.5');
});
