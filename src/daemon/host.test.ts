import { test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors/index.ts';
import { DEFAULT_DOCKER_HOST, parseDockerHost } from './host.ts';

test('DOCKER_HOST unset means the default socket; set, it wins', () => {
  assert.deepEqual(parseDockerHost(undefined, {}), { kind: 'unix', socketPath: '/var/run/docker.sock', display: DEFAULT_DOCKER_HOST });
  assert.deepEqual(parseDockerHost(undefined, { DOCKER_HOST: 'unix:///tmp/d.sock' }), { kind: 'unix', socketPath: '/tmp/d.sock', display: 'unix:///tmp/d.sock' });
  // An explicit host beats the environment.
  assert.equal(parseDockerHost('tcp://h:1', { DOCKER_HOST: 'unix:///tmp/d.sock' }).kind, 'tcp');
});

test('tcp addresses: Docker\'s ports by default, a path prefix kept, IPv6 brackets removed', () => {
  const plain = parseDockerHost('tcp://127.0.0.1', {});
  assert.ok(plain.kind === 'tcp');
  assert.equal(plain.port, 2375);
  assert.equal(plain.tls, undefined);
  const prefixed = parseDockerHost('tcp://[::1]:2000/engine/', {});
  assert.ok(prefixed.kind === 'tcp');
  assert.equal(prefixed.hostname, '::1');
  assert.equal(prefixed.port, 2000);
  assert.equal(prefixed.basePath, '/engine');
});

test('TLS follows DOCKER_TLS_VERIFY and DOCKER_CERT_PATH as the docker CLI reads them', () => {
  const verified = parseDockerHost('tcp://h', { DOCKER_TLS_VERIFY: '1' });
  assert.ok(verified.kind === 'tcp');
  assert.equal(verified.port, 2376);
  assert.deepEqual(verified.tls, { certPath: join(homedir(), '.docker'), verify: true });
  const certsOnly = parseDockerHost('tcp://h:9', { DOCKER_CERT_PATH: '/certs' });
  assert.ok(certsOnly.kind === 'tcp');
  assert.deepEqual(certsOnly.tls, { certPath: '/certs', verify: false });
  const https = parseDockerHost('https://h', {});
  assert.ok(https.kind === 'tcp');
  assert.deepEqual(https.tls, { certPath: undefined, verify: true });
  const http = parseDockerHost('http://h', { DOCKER_TLS_VERIFY: '1' });
  assert.ok(http.kind === 'tcp');
  assert.equal(http.tls, undefined);
});

test('addresses we cannot use are refused before any I/O', () => {
  for (const bad of ['ssh://me@host', 'npipe:////./pipe/docker_engine', 'unix://relative.sock', '/var/run/docker.sock', 'tcp://']) {
    assert.throws(() => parseDockerHost(bad, {}), InvalidArgumentError, bad);
  }
});
