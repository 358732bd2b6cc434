import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installFakeHelper, type FakeHelper } from '../../test/harness/fake-credential-helper.ts';
import { makeTempDir, removeTempDir } from '../../test/harness/temp-dir.ts';
import { Anonymous } from './authenticator.ts';
import { parseDockerConfig } from './docker-config.ts';
import { dockerConfigKeychain, getAuthConfig, resolveInDockerConfig } from './docker-keychain.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
let dir: string;
let fake: FakeHelper;
before(async () => {
  dir = await makeTempDir('docker-keychain');
  fake = await installFakeHelper(dir, 'fake');
});
after(() => removeTempDir(dir));

const config = (doc: unknown) => parseDockerConfig(JSON.stringify(doc), '/test/config.json');

test('plaintext auths: the exact key, then any key whose host matches', async () => {
  const cfg = config({
    auths: {
      'http://legacy.example/v1/': { auth: b64('old:1') },
      'https://legacy.example': { auth: b64('older:2') },
      'exact.example': { auth: b64('ex:3') },
      'https://exact.example': { auth: b64('wrong:4') },
    },
  });
  assert.deepEqual(await getAuthConfig(cfg, 'legacy.example', { env: {} }), { username: 'old', password: '1' });
  assert.deepEqual(await getAuthConfig(cfg, 'exact.example', { env: {} }), { username: 'ex', password: '3' });
  assert.deepEqual(await getAuthConfig(cfg, 'other.example', { env: {} }), {});
});

test('credHelpers for the registry, else credsStore; the plaintext entry is then not used', async () => {
  await fake.seed('helped.example', 'from-helper', 'h');
  await fake.seed('stored.example', 'from-store', 's');
  const cfg = config({
    auths: { 'helped.example': { auth: b64('plain:p') }, 'stored.example': { auth: b64('plain:p') } },
    credHelpers: { 'helped.example': 'fake' },
    credsStore: 'fake',
  });
  assert.deepEqual(await getAuthConfig(cfg, 'helped.example', { env: fake.env }), { username: 'from-helper', password: 'h' });
  assert.deepEqual(await getAuthConfig(cfg, 'stored.example', { env: fake.env }), { username: 'from-store', password: 's' });
  // Not in the store: no credentials, even though auths has a password for it (docker-cli).
  const onlyStore = config({ auths: { 'x.example': { auth: b64('plain:p') } }, credsStore: 'fake' });
  assert.deepEqual(await getAuthConfig(onlyStore, 'x.example', { env: fake.env }), {});
});

test('DOCKER_AUTH_CONFIG answers first, for its exact keys only', async () => {
  const cfg = config({ auths: { 'r.example': { auth: b64('file:f') } }, credsStore: 'fake' });
  const env = { ...fake.env, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'r.example': { auth: b64('env:e') } } }) };
  const before = (await fake.calls()).length;
  assert.deepEqual(await getAuthConfig(cfg, 'r.example', { env }), { username: 'env', password: 'e' });
  assert.equal((await fake.calls()).length, before, 'the helper was not asked');
  const env2 = { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'https://r.example': { auth: b64('env:e') } } }) };
  assert.deepEqual(await getAuthConfig(config({}), 'r.example', { env: env2 }), {});
});

test('repository-specific keys win over the registry key; Docker Hub is asked as https://index.docker.io/v1/', async () => {
  const cfg = config({
    auths: {
      'gcr.io/proj/app': { auth: b64('repo:r') },
      'gcr.io': { auth: b64('host:h') },
      'https://index.docker.io/v1/': { auth: b64('hub:d') },
    },
  });
  assert.deepEqual(await resolveInDockerConfig(cfg, { registry: 'gcr.io', repository: 'proj/app' }, { env: {} }), {
    username: 'repo',
    password: 'r',
  });
  assert.deepEqual(await resolveInDockerConfig(cfg, { registry: 'gcr.io', repository: 'proj/other' }, { env: {} }), {
    username: 'host',
    password: 'h',
  });
  assert.deepEqual(await resolveInDockerConfig(cfg, { registry: 'index.docker.io', repository: 'library/ubuntu' }, { env: {} }), {
    username: 'hub',
    password: 'd',
  });
});

test('a failing helper rejects instead of passing for anonymous', async () => {
  const cfg = config({ credHelpers: { 'locked.example': 'fake' } });
  await assert.rejects(getAuthConfig(cfg, 'locked.example', { env: fake.env }), /credential helper "fake" failed/);
});

test('dockerConfigKeychain re-reads the file on every resolve', async () => {
  const path = join(dir, 'reread.json');
  await writeFile(path, '{}');
  const kc = dockerConfigKeychain({ path, env: {} });
  assert.equal(await kc.resolve({ registry: 'r.example' }), Anonymous);
  await writeFile(path, JSON.stringify({ auths: { 'r.example': { auth: b64('u:p') } } }));
  const auth = await kc.resolve({ registry: 'r.example' });
  assert.deepEqual(await auth.authorization(), { username: 'u', password: 'p' });
});
