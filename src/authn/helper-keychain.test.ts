import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { installFakeHelper, type FakeHelper } from '../../test/harness/fake-credential-helper.ts';
import { makeTempDir, removeTempDir } from '../../test/harness/temp-dir.ts';
import { Anonymous } from './authenticator.ts';
import { newKeychainFromHelper } from './helper-keychain.ts';

let dir: string;
let fake: FakeHelper;
before(async () => {
  dir = await makeTempDir('helper-keychain');
  fake = await installFakeHelper(dir, 'fake');
});
after(() => removeTempDir(dir));

test('a helper program by name: asked for the bare registry host', async () => {
  await fake.seed('index.docker.io', 'hub', 'pw');
  await fake.seed('id.example', '<token>', 'refresh-token');
  const kc = newKeychainFromHelper('fake', { env: fake.env });
  assert.deepEqual(await (await kc.resolve({ registry: 'index.docker.io', repository: 'library/x' })).authorization(), {
    username: 'hub',
    password: 'pw',
  });
  assert.deepEqual(await (await kc.resolve({ registry: 'id.example' })).authorization(), { identityToken: 'refresh-token' });
  assert.equal(await kc.resolve({ registry: 'nothing.example' }), Anonymous);
});

test('failures reject by default; ignoreErrors gives ggcr\'s Anonymous', async () => {
  await assert.rejects(newKeychainFromHelper('fake', { env: fake.env }).resolve({ registry: 'locked.example' }), /keyring is locked/);
  assert.equal(await newKeychainFromHelper('fake', { env: fake.env, ignoreErrors: true }).resolve({ registry: 'locked.example' }), Anonymous);
  assert.equal(await newKeychainFromHelper('absent', { env: fake.env, ignoreErrors: true }).resolve({ registry: 'r' }), Anonymous);
});

test('an in-process helper object works the same', async () => {
  const kc = newKeychainFromHelper({
    get: async (server) => (server === 'mine.example' ? { serverURL: server, username: 'me', secret: 's' } : undefined),
  });
  assert.deepEqual(await (await kc.resolve({ registry: 'mine.example' })).authorization(), { username: 'me', password: 's' });
  assert.equal(await kc.resolve({ registry: 'other.example' }), Anonymous);
});
