import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:https';
import { listen } from './server.ts';
import { createSelfSignedCertificate } from './auth/x509.ts';

test('the registry serves https with a given key and certificate', async () => {
  const cert = await createSelfSignedCertificate({ commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const reg = await listen({ tls: { key: cert.keyPem, cert: cert.certPem } });
  try {
    assert.match(reg.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const status = await new Promise<number>((resolve, reject) => {
      get(`${reg.url}/v2/`, { ca: cert.certPem }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject);
    });
    assert.equal(status, 200);
    // Without trusting the certificate the client refuses: TLS is really on.
    await assert.rejects(
      new Promise((resolve, reject) => get(`${reg.url}/v2/`, (res) => resolve(res.statusCode)).on('error', reject)),
      /self[- ]signed|unable to verify|certificate/i,
    );
  } finally {
    await reg.close();
  }
});
