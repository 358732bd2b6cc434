import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, get } from 'node:https';
import { join } from 'node:path';
import { test } from 'node:test';
import { findPeer } from '../../../test/harness/peers.ts';
import { hasCode } from '../../errors/index.ts';
import { certificateBundleFromPem, createSelfSignedCertificate, loadCertificateBundle, subjectKeyId } from './x509.ts';
import { tempDirFor } from '../../../test/harness/temp-dir.ts';

const tempDir = (t: { after(fn: () => unknown): void }) => tempDirFor(t, 'x509');

for (const keyType of ['ec', 'rsa'] as const) {
  test(`a self-signed ${keyType} certificate parses in node and verifies with its own key`, async () => {
    const notBefore = new Date('2030-01-02T03:04:05Z');
    const b = await createSelfSignedCertificate({ keyType, commonName: 'issuer one', notBefore, validityDays: 2 });
    const cert = new X509Certificate(b.certPem);
    assert.equal(cert.subject, 'CN=issuer one');
    assert.equal(cert.issuer, 'CN=issuer one');
    assert.equal(cert.ca, true);
    assert.equal(Date.parse(cert.validFrom), notBefore.getTime());
    assert.equal(Date.parse(cert.validTo), notBefore.getTime() + 2 * 86_400_000);
    assert.equal(cert.verify(b.publicKey), true);
    assert.equal(cert.checkPrivateKey(b.privateKey), true);
    assert.deepEqual(cert.raw, b.certDer);
    assert.equal(cert.publicKey.asymmetricKeyType, keyType);
    assert.match(cert.serialNumber, /^[0-9A-F]{32}$/);
    assert.match(b.keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  });

  test(`openssl reads the ${keyType} certificate and verifies it as its own trust root`, async (t) => {
    const openssl = findPeer(t, 'openssl');
    if (!openssl) return;
    const dir = await tempDir(t);
    const b = await createSelfSignedCertificate({ keyType, commonName: 'token issuer', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'] });
    const file = join(dir, 'cert.pem');
    await writeFile(file, b.certPem);
    const text = execFileSync(openssl, ['x509', '-in', file, '-noout', '-text'], { encoding: 'utf8' });
    assert.match(text, /Version: 3 \(0x2\)/);
    assert.match(text, /Subject: CN ?= ?token issuer/);
    assert.match(text, keyType === 'rsa' ? /Signature Algorithm: sha256WithRSAEncryption/ : /Signature Algorithm: ecdsa-with-SHA256/);
    assert.match(text, keyType === 'rsa' ? /Public-Key: \(2048 bit\)/ : /ASN1 OID: prime256v1/);
    assert.match(text, /X509v3 Basic Constraints: critical\s+CA:TRUE/);
    assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
    assert.match(text, /DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/);
    const ski = subjectKeyId(b.publicKey).toString('hex').toUpperCase().match(/../g)!.join(':');
    assert.match(text, new RegExp(`Subject Key Identifier:\\s+${ski}\\s+X509v3 Authority Key Identifier:\\s+(keyid:)?${ski}`));
    // -x509_strict also checks DER details (extension criticality, key usage encoding, …).
    const verified = execFileSync(openssl, ['verify', '-x509_strict', '-CAfile', file, file], { encoding: 'utf8' });
    assert.equal(verified.trim(), `${file}: OK`);
  });
}

test('the subject key identifier is the one openssl computes for the same key', async (t) => {
  const openssl = findPeer(t, 'openssl');
  if (!openssl) return;
  const dir = await tempDir(t);
  const b = await createSelfSignedCertificate({ keyType: 'ec' });
  await writeFile(join(dir, 'key.pem'), b.keyPem);
  const theirs = execFileSync(
    openssl,
    ['req', '-new', '-x509', '-key', join(dir, 'key.pem'), '-subj', '/CN=x', '-days', '1', '-addext', 'subjectKeyIdentifier=hash'],
    { encoding: 'utf8' },
  );
  const text = execFileSync(openssl, ['x509', '-noout', '-ext', 'subjectKeyIdentifier'], { input: theirs, encoding: 'utf8' });
  const expected = subjectKeyId(b.publicKey).toString('hex').toUpperCase().match(/../g)!.join(':');
  assert.match(text, new RegExp(expected));
});

test('a certificate with subjectAltName serves TLS that node verifies against it', async (t) => {
  const b = await createSelfSignedCertificate({ keyType: 'ec', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const server = createHttpsServer({ key: b.keyPem, cert: b.certPem }, (_req, res) => res.end('hello'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as { port: number };
  const body = await new Promise<string>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/', ca: b.certPem, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve(text));
    }).on('error', reject);
  });
  assert.equal(body, 'hello');
});

test('a non-CA certificate says so', async () => {
  const b = await createSelfSignedCertificate({ ca: false });
  assert.equal(new X509Certificate(b.certDer).ca, false);
});

test('a given key is certified as is; unsupported key types are refused', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const b = await createSelfSignedCertificate({ privateKey });
  assert.equal(b.privateKey, privateKey);
  const ed = generateKeyPairSync('ed25519').privateKey;
  await assert.rejects(createSelfSignedCertificate({ privateKey: ed }), (err: Error) => hasCode(err, 'ERR_INVALID_ARGUMENT') && /ed25519/.test(err.message));
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  await assert.rejects(createSelfSignedCertificate({ privateKey: p384 }), /EC secp384r1 keys are not supported/);
});

test('user-given PEM files load, and mismatched, broken or expired ones are refused', async (t) => {
  const dir = await tempDir(t);
  const a = await createSelfSignedCertificate();
  const other = await createSelfSignedCertificate();
  await writeFile(join(dir, 'cert.pem'), a.certPem);
  await writeFile(join(dir, 'key.pem'), a.keyPem);
  const loaded = await loadCertificateBundle(join(dir, 'cert.pem'), join(dir, 'key.pem'));
  assert.deepEqual(loaded.certDer, a.certDer);
  assert.equal(loaded.privateKey.equals(a.privateKey), true);

  assert.throws(() => certificateBundleFromPem(a.certPem, other.keyPem, { keySource: 'k.pem', certSource: 'c.pem' }), /k\.pem is not the key of the certificate in c\.pem/);
  assert.throws(() => certificateBundleFromPem('nonsense', a.keyPem), /certificate: not a PEM certificate/);
  assert.throws(() => certificateBundleFromPem(a.certPem, 'nonsense'), /private key: not a PEM private key/);
  const old = await createSelfSignedCertificate({ privateKey: a.privateKey, notBefore: new Date('2001-01-01T00:00:00Z'), validityDays: 1 });
  assert.throws(() => certificateBundleFromPem(old.certPem, old.keyPem), /certificate expired on/);
});
