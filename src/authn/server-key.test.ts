import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authKey, convertToHostname, DEFAULT_AUTH_KEY, resourceKeys } from './server-key.ts';

test('convertToHostname reduces every form docker login wrote to host[:port]', () => {
  const cases: [string, string][] = [
    ['https://index.docker.io/v1/', 'index.docker.io'],
    ['http://localhost:5000', 'localhost:5000'],
    ['https://registry.example.com:443/v2/', 'registry.example.com:443'],
    ['https://user@quay.io', 'quay.io'],
    ['quay.io', 'quay.io'],
    ['quay.io/org/repo', 'quay.io'],
    ['localhost:5000/v1/', 'localhost:5000'],
    ['https://[::1]:5000/v1/', '[::1]:5000'],
    ['https://[::1]/', '::1'],
    ['https://MyRegistry.Example.com', 'MyRegistry.Example.com'],
  ];
  for (const [input, want] of cases) assert.equal(convertToHostname(input), want, input);
});

test("Docker Hub's key is the historical v1 URL, other registries' their host", () => {
  assert.equal(DEFAULT_AUTH_KEY, 'https://index.docker.io/v1/');
  assert.equal(authKey('index.docker.io'), DEFAULT_AUTH_KEY);
  assert.equal(authKey('docker.io'), DEFAULT_AUTH_KEY);
  assert.equal(authKey('ghcr.io'), 'ghcr.io');
});

test('a resource is asked for as registry/repository first, then registry, without repeats', () => {
  assert.deepEqual(resourceKeys({ registry: 'gcr.io', repository: 'proj/app' }), ['gcr.io/proj/app', 'gcr.io']);
  assert.deepEqual(resourceKeys({ registry: 'index.docker.io', repository: 'library/ubuntu' }), [
    'index.docker.io/library/ubuntu',
    DEFAULT_AUTH_KEY,
  ]);
  assert.deepEqual(resourceKeys({ registry: 'localhost:5000' }), ['localhost:5000']);
});
