import assert from 'node:assert/strict';
import { readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasCode } from '../../errors/index.ts';
import { libtrustKeyId } from './jwt.ts';
import { CERT_FILE, KEY_FILE, loadOrCreateSigningKey } from './signing-key.ts';
import { createSelfSignedCertificate } from './x509.ts';
import { tempDirFor } from '../../../test/harness/temp-dir.ts';

const tempDir = (t: { after(fn: () => unknown): void }) => tempDirFor(t, 'signing-key');

test('without a directory a new RSA key is made in memory', async () => {
  const key = await loadOrCreateSigningKey();
  assert.equal(key.alg, 'RS256');
  assert.equal(key.kid, libtrustKeyId(key.publicKey));
  assert.match(key.certPem, /^-----BEGIN CERTIFICATE-----/);
});

test('a key made in a directory is kept there and reused on the next start', async (t) => {
  const dir = join(await tempDir(t), 'state', 'auth');
  const first = await loadOrCreateSigningKey({ dir, keyType: 'ec' });
  assert.equal(first.alg, 'ES256');
  assert.equal((await stat(join(dir, KEY_FILE))).mode & 0o777, 0o600);
  assert.equal(await readFile(join(dir, CERT_FILE), 'utf8'), first.certPem);
  const second = await loadOrCreateSigningKey({ dir, keyType: 'rsa' });
  assert.equal(second.kid, first.kid);
  assert.deepEqual(second.certDer, first.certDer);
});

test('a key left without its certificate gets a new certificate for the same key', async (t) => {
  const dir = await tempDir(t);
  const first = await loadOrCreateSigningKey({ dir, keyType: 'ec' });
  await unlink(join(dir, CERT_FILE));
  const second = await loadOrCreateSigningKey({ dir });
  assert.equal(second.kid, first.kid);
  assert.notDeepEqual(second.certDer, first.certDer);
});

test('a certificate without its key is an error, not silently replaced', async (t) => {
  const dir = await tempDir(t);
  await loadOrCreateSigningKey({ dir, keyType: 'ec' });
  await unlink(join(dir, KEY_FILE));
  await assert.rejects(loadOrCreateSigningKey({ dir }), (err: Error) => hasCode(err, 'ERR_INVALID_ARGUMENT') && err.message.includes(KEY_FILE));
});

test('user files are used as given; only one of the pair is an error', async (t) => {
  const dir = await tempDir(t);
  const b = await createSelfSignedCertificate({ keyType: 'ec' });
  await writeFile(join(dir, 'c.pem'), b.certPem);
  await writeFile(join(dir, 'k.pem'), b.keyPem);
  const key = await loadOrCreateSigningKey({ certPath: join(dir, 'c.pem'), keyPath: join(dir, 'k.pem') });
  assert.deepEqual(key.certDer, b.certDer);
  assert.equal(key.alg, 'ES256');
  await assert.rejects(loadOrCreateSigningKey({ certPath: join(dir, 'c.pem') }), /both certPath and keyPath/);
});
