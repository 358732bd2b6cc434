import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRegistry } from './registry.ts';
import { registryHost, registryScheme } from './scheme.ts';

describe('Registry.scheme', () => {
  // ggcr's TestRegistryScheme (newest) and TestIsRFC1918 cases.
  const ggcrCases: Array<[string, 'http' | 'https']> = [
    ['foo.svc.localhost:1234', 'http'],
    ['foo.svc.local:1234', 'https'],
    ['registry.local', 'https'],
    ['127.0.0.1:1234', 'http'],
    ['127.0.0.1', 'http'],
    ['127.0.0.1.evil.com', 'https'],
    ['my127.0.0.1registry.io', 'https'],
    ['localhost', 'http'],
    ['localhost:8080', 'http'],
    ['gcr.io', 'https'],
    ['index.docker.io', 'https'],
    ['::1', 'http'],
    ['[::1]:5000', 'http'],
    ['[2001:db8::1]:5000', 'https'],
    ['10.2.3.4:5000', 'http'],
    ['8.8.8.8', 'https'],
    ['172.16.3.4:3000', 'http'],
    ['192.168.3.4', 'http'],
    ['10.256.0.0:5000', 'https'],
  ];
  // Ours: the edges of each range and the deliberate differences from ggcr.
  const ourCases: Array<[string, 'http' | 'https']> = [
    ['127.1.2.3:5000', 'http'], // all of 127/8, not just 127.0.0.1
    ['127.255.255.254', 'http'],
    ['128.0.0.1', 'https'],
    ['172.15.255.255', 'https'],
    ['172.31.255.255:80', 'http'],
    ['172.32.0.1', 'https'],
    ['192.169.0.1', 'https'],
    ['11.0.0.1', 'https'],
    ['[::1]', 'http'],
    ['[0:0:0:0:0:0:0:1]:5000', 'http'], // loopback in its long spelling
    ['LocalHost:5000', 'http'], // DNS names are case-insensitive
    ['registry.localhost', 'http'],
    ['localhost.example.com', 'https'],
    ['notlocalhost', 'https'],
    ['index.docker.io:443', 'https'],
  ];

  for (const [domain, scheme] of [...ggcrCases, ...ourCases]) {
    it(`${domain} → ${scheme}`, () => {
      assert.equal(newRegistry(domain).scheme(), scheme);
    });
  }

  it('insecure wins over every address', () => {
    assert.equal(registryScheme('gcr.io', true), 'http');
    assert.equal(registryScheme('8.8.8.8:443', true), 'http');
  });
});

describe('registryHost', () => {
  it('strips the port from each authority form', () => {
    assert.equal(registryHost('gcr.io'), 'gcr.io');
    assert.equal(registryHost('gcr.io:5000'), 'gcr.io');
    assert.equal(registryHost('[::1]:5000'), '::1');
    assert.equal(registryHost('[::1]'), '::1');
    assert.equal(registryHost('::1'), '::1');
    assert.equal(registryHost('fe80::1'), 'fe80::1');
  });
});
