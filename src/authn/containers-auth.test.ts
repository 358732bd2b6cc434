import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installFakeHelper, type FakeHelper } from '../../test/harness/fake-credential-helper.ts';
import { makeTempDir, removeTempDir } from '../../test/harness/temp-dir.ts';
import { Anonymous } from './authenticator.ts';
import {
  containersAuthFiles,
  containersAuthKeychain,
  containersAuthKeys,
  findContainersAuthFile,
  loadContainersAuth,
  lookupContainersAuth,
} from './containers-auth.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
let dir: string;
let fake: FakeHelper;
before(async () => {
  dir = await makeTempDir('containers-auth');
  fake = await installFakeHelper(dir, 'fake');
});
after(() => removeTempDir(dir));

async function authFile(name: string, doc: unknown): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify(doc));
  return path;
}

test("podman's files, in the order it reads them", () => {
  assert.deepEqual(containersAuthFiles({ env: {}, homedir: '/h' }), ['/h/.config/containers/auth.json']);
  assert.deepEqual(
    containersAuthFiles({ env: { REGISTRY_AUTH_FILE: '/a.json', XDG_RUNTIME_DIR: '/run/user/1', XDG_CONFIG_HOME: '/xdg' }, homedir: '/h' }),
    ['/a.json', '/run/user/1/containers/auth.json', '/xdg/containers/auth.json'],
  );
});

test('the first file that exists is used', async () => {
  const runtime = join(dir, 'run');
  const home = join(dir, 'home');
  const env = { REGISTRY_AUTH_FILE: join(dir, 'missing.json'), XDG_RUNTIME_DIR: runtime };
  assert.equal(await findContainersAuthFile({ env, homedir: home }), undefined);
  const inHome = await authFile('home/.config/containers/auth.json', {});
  assert.equal(await findContainersAuthFile({ env, homedir: home }), inHome);
  const inRuntime = await authFile('run/containers/auth.json', {});
  assert.equal(await findContainersAuthFile({ env, homedir: home }), inRuntime);
});

test('keys run from the whole repository down to the registry; Docker Hub is docker.io', () => {
  assert.deepEqual(containersAuthKeys({ registry: 'quay.io', repository: 'org/team/app' }), [
    'quay.io/org/team/app',
    'quay.io/org/team',
    'quay.io/org',
    'quay.io',
  ]);
  assert.deepEqual(containersAuthKeys({ registry: 'index.docker.io', repository: 'library/ubuntu' }), [
    'docker.io/library/ubuntu',
    'docker.io/library',
    'docker.io',
  ]);
});

test('the most specific entry wins; a namespace key does not answer for another namespace', async () => {
  const file = await loadContainersAuth(
    await authFile('specific.json', {
      auths: {
        'quay.io': { auth: b64('host:h') },
        'quay.io/org': { auth: b64('org:o') },
        'quay.io/org/app': { auth: b64('app:a') },
      },
    }),
  );
  const look = (repository: string) => lookupContainersAuth(file, { registry: 'quay.io', repository }, { env: {} });
  assert.deepEqual(await look('org/app'), { username: 'app', password: 'a' });
  assert.deepEqual(await look('org/web'), { username: 'org', password: 'o' });
  assert.deepEqual(await look('other/app'), { username: 'host', password: 'h' });
});

test('legacy URL keys and every Docker Hub spelling are found by normalised host', async () => {
  for (const key of ['docker.io', 'https://index.docker.io/v1/', 'registry-1.docker.io', 'index.docker.io']) {
    const file = await loadContainersAuth(await authFile(`hub-${key.replace(/\W/g, '_')}.json`, { auths: { [key]: { auth: b64('hub:d') } } }));
    assert.deepEqual(await lookupContainersAuth(file, { registry: 'index.docker.io', repository: 'library/x' }, { env: {} }), {
      username: 'hub',
      password: 'd',
    }, key);
  }
  const legacy = await loadContainersAuth(await authFile('legacy.json', { auths: { 'https://r.example/v1/': { auth: b64('u:p') } } }));
  assert.deepEqual(await lookupContainersAuth(legacy, { registry: 'r.example', repository: 'a' }, { env: {} }), { username: 'u', password: 'p' });
  // A bare key with a path is a namespace, never the whole registry.
  const ns = await loadContainersAuth(await authFile('ns.json', { auths: { 'r.example/team': { auth: b64('u:p') } } }));
  assert.equal(await lookupContainersAuth(ns, { registry: 'r.example', repository: 'other/a' }, { env: {} }), undefined);
});

test('a credHelpers entry in auth.json decides for its registry', async () => {
  await fake.seed('helped.example', 'h', 'hp');
  const file = await loadContainersAuth(
    await authFile('helpers.json', { auths: { 'helped.example': { auth: b64('plain:p') } }, credHelpers: { 'helped.example': 'fake' } }),
  );
  assert.deepEqual(await lookupContainersAuth(file, { registry: 'helped.example', repository: 'a' }, { env: fake.env }), {
    username: 'h',
    password: 'hp',
  });
});

test('containersAuthKeychain: Anonymous without a file or an entry', async () => {
  const home = join(dir, 'empty-home');
  assert.equal(await containersAuthKeychain({ env: {}, homedir: home }).resolve({ registry: 'quay.io' }), Anonymous);
  const path = await authFile('kc.json', { auths: { 'quay.io': { auth: b64('u:p') } } });
  const kc = containersAuthKeychain({ env: { REGISTRY_AUTH_FILE: path }, homedir: home });
  assert.equal(await kc.resolve({ registry: 'ghcr.io' }), Anonymous);
  assert.deepEqual(await (await kc.resolve({ registry: 'quay.io', repository: 'a' })).authorization(), { username: 'u', password: 'p' });
});
