import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installFakeHelper, type FakeHelper } from '../../test/harness/fake-credential-helper.ts';
import { makeTempDir, removeTempDir } from '../../test/harness/temp-dir.ts';
import { Anonymous, type AuthConfig, type Keychain, type Resource } from './authenticator.ts';
import { newDefaultKeychain } from './keychain.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const auths = (user: string, host = 'r.example') => ({ auths: { [host]: { auth: b64(`${user}:pw`) } } });
let dir: string;
let fake: FakeHelper;
let n = 0;
before(async () => {
  dir = await makeTempDir('default-keychain');
  fake = await installFakeHelper(dir, 'fake');
});
after(() => removeTempDir(dir));

/** A fresh home with the given files (path relative to the case folder → JSON). */
async function layout(files: Record<string, unknown>): Promise<string> {
  const root = join(dir, `case${n++}`);
  await mkdir(join(root, 'home'), { recursive: true });
  for (const [rel, doc] of Object.entries(files)) {
    const path = join(root, rel);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, JSON.stringify(doc));
  }
  return root;
}

async function who(kc: Keychain, resource: Resource = { registry: 'r.example', repository: 'app' }): Promise<AuthConfig | undefined> {
  const auth = await kc.resolve(resource);
  return auth === Anonymous ? undefined : auth.authorization();
}

test('~/.docker/config.json is used when it exists', async () => {
  const root = await layout({ 'home/.docker/config.json': auths('docker'), 'xdg/containers/auth.json': auths('podman') });
  const kc = newDefaultKeychain({ env: { XDG_RUNTIME_DIR: join(root, 'xdg') }, homedir: join(root, 'home') });
  assert.equal((await who(kc))?.username, 'docker');
});

test("ggcr's quirk, kept: ~/.docker/config.json existing makes $DOCKER_CONFIG the one read", async () => {
  const root = await layout({ 'home/.docker/config.json': auths('home'), 'dc/other.json': {} });
  const kc = newDefaultKeychain({ env: { DOCKER_CONFIG: join(root, 'dc') }, homedir: join(root, 'home') });
  assert.equal(await who(kc), undefined);
  const root2 = await layout({ 'dc/config.json': auths('dockerconfig') });
  const kc2 = newDefaultKeychain({ env: { DOCKER_CONFIG: join(root2, 'dc') }, homedir: join(root2, 'home') });
  assert.equal((await who(kc2))?.username, 'dockerconfig');
});

test('a Docker config without the entry does not fall through to podman (one source, as ggcr)', async () => {
  const root = await layout({ 'home/.docker/config.json': auths('docker', 'other.example'), 'xdg/containers/auth.json': auths('podman') });
  const kc = newDefaultKeychain({ env: { XDG_RUNTIME_DIR: join(root, 'xdg') }, homedir: join(root, 'home') });
  assert.equal(await who(kc), undefined);
});

test('without a Docker config: REGISTRY_AUTH_FILE, then XDG_RUNTIME_DIR, then ~/.config', async () => {
  const root = await layout({
    'explicit.json': auths('explicit'),
    'xdg/containers/auth.json': auths('runtime'),
    'home/.config/containers/auth.json': auths('config'),
  });
  const home = join(root, 'home');
  const all = { REGISTRY_AUTH_FILE: join(root, 'explicit.json'), XDG_RUNTIME_DIR: join(root, 'xdg') };
  assert.equal((await who(newDefaultKeychain({ env: all, homedir: home })))?.username, 'explicit');
  const noExplicit = { REGISTRY_AUTH_FILE: join(root, 'missing.json'), XDG_RUNTIME_DIR: join(root, 'xdg') };
  assert.equal((await who(newDefaultKeychain({ env: noExplicit, homedir: home })))?.username, 'runtime');
  assert.equal((await who(newDefaultKeychain({ env: {}, homedir: home })))?.username, 'config');
});

test('nothing anywhere is Anonymous, but DOCKER_AUTH_CONFIG still answers (CI)', async () => {
  const root = await layout({});
  const home = join(root, 'home');
  assert.equal(await newDefaultKeychain({ env: {}, homedir: home }).resolve({ registry: 'r.example' }), Anonymous);
  const env = { DOCKER_AUTH_CONFIG: JSON.stringify(auths('ci')) };
  assert.equal((await who(newDefaultKeychain({ env, homedir: home })))?.username, 'ci');
});

test('DOCKER_AUTH_CONFIG is asked before a podman file too', async () => {
  const root = await layout({ 'xdg/containers/auth.json': auths('podman') });
  const env = { XDG_RUNTIME_DIR: join(root, 'xdg'), DOCKER_AUTH_CONFIG: JSON.stringify(auths('env')) };
  assert.equal((await who(newDefaultKeychain({ env, homedir: join(root, 'home') })))?.username, 'env');
});

test('credential helpers from config.json are run; Docker Hub through its v1 key', async () => {
  await fake.seed('https://index.docker.io/v1/', 'hubuser', 'hubpw');
  const root = await layout({ 'home/.docker/config.json': { credsStore: 'fake' } });
  const kc = newDefaultKeychain({ env: fake.env, homedir: join(root, 'home') });
  assert.deepEqual(await who(kc, { registry: 'index.docker.io', repository: 'library/ubuntu' }), {
    username: 'hubuser',
    password: 'hubpw',
  });
  const asked = (await fake.calls()).filter((c) => c.action === 'get').map((c) => c.input);
  assert.deepEqual(asked.slice(-2), ['index.docker.io/library/ubuntu', 'https://index.docker.io/v1/']);
});

test('a broken config or helper rejects rather than going anonymous', async () => {
  const root = await layout({});
  await mkdir(join(root, 'home', '.docker'), { recursive: true });
  await writeFile(join(root, 'home', '.docker', 'config.json'), '{"auths": ');
  await assert.rejects(newDefaultKeychain({ env: {}, homedir: join(root, 'home') }).resolve({ registry: 'r.example' }), /not valid JSON/);
  const root2 = await layout({ 'home/.docker/config.json': { credsStore: 'fake' } });
  await assert.rejects(
    newDefaultKeychain({ env: fake.env, homedir: join(root2, 'home') }).resolve({ registry: 'locked.example' }),
    /keyring is locked/,
  );
});
