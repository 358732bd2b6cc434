import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installFakeHelper, type FakeHelper } from '../../test/harness/fake-credential-helper.ts';
import { makeTempDir, removeTempDir } from '../../test/harness/temp-dir.ts';
import { eraseCredentials, saveCredentials } from './docker-config-save.ts';
import { newDefaultKeychain } from './keychain.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
let dir: string;
let fake: FakeHelper;
let n = 0;
before(async () => {
  dir = await makeTempDir('docker-save');
  fake = await installFakeHelper(dir, 'fake');
});
after(() => removeTempDir(dir));

async function home(config?: unknown): Promise<string> {
  const h = join(dir, `home${n++}`);
  await mkdir(join(h, '.docker'), { recursive: true });
  if (config !== undefined) await writeFile(join(h, '.docker', 'config.json'), JSON.stringify(config));
  return h;
}
const readConfig = async (h: string) => JSON.parse(await readFile(join(h, '.docker', 'config.json'), 'utf8')) as Record<string, any>;

test('login writes auths[host].auth, keeps every other field, mode 0600, no temp file left', async () => {
  const h = await home({ auths: { 'other.example': { auth: b64('o:p') } }, psFormat: 'table', experimentalThing: { x: 1 } });
  const result = await saveCredentials('r.example:5000', { username: 'alice', password: 'pw' }, { env: {}, homedir: h });
  assert.deepEqual(result, { path: join(h, '.docker', 'config.json'), key: 'r.example:5000' });
  const doc = await readConfig(h);
  assert.deepEqual(doc, {
    auths: { 'other.example': { auth: b64('o:p') }, 'r.example:5000': { auth: b64('alice:pw') } },
    psFormat: 'table',
    experimentalThing: { x: 1 },
  });
  assert.equal((await stat(join(h, '.docker', 'config.json'))).mode & 0o777, 0o600);
  assert.deepEqual(await readdir(join(h, '.docker')), ['config.json']);
  // What was written is what the keychain reads back.
  const auth = await newDefaultKeychain({ env: {}, homedir: h }).resolve({ registry: 'r.example:5000', repository: 'a' });
  assert.deepEqual(await auth.authorization(), { username: 'alice', password: 'pw' });
});

test('a first login creates ~/.docker/config.json; Docker Hub goes under https://index.docker.io/v1/', async () => {
  const h = join(dir, `fresh${n++}`);
  for (const name of ['docker.io', 'index.docker.io', 'https://index.docker.io/v1/']) {
    await saveCredentials(name, { username: 'hub', password: name }, { env: {}, homedir: h });
    assert.deepEqual(Object.keys((await readConfig(h)).auths), ['https://index.docker.io/v1/']);
  }
  assert.equal((await stat(join(h, '.docker'))).mode & 0o777, 0o700);
});

test('DOCKER_CONFIG decides where; a symlinked config.json stays a link and its target changes', async () => {
  const h = await home();
  const target = join(dir, 'dotfiles-config.json');
  await writeFile(target, JSON.stringify({ auths: {} }));
  const dc = join(dir, `dc${n++}`);
  await mkdir(dc);
  await symlink(target, join(dc, 'config.json'));
  await saveCredentials('r.example', { username: 'u', password: 'p' }, { env: { DOCKER_CONFIG: dc }, homedir: h });
  assert.deepEqual(JSON.parse(await readFile(target, 'utf8')).auths, { 'r.example': { auth: b64('u:p') } });
  assert.equal((await readdir(dc)).length, 1);
});

test('with a credential store the secret goes to the helper and auths keeps only the {} marker', async () => {
  const h = await home({ credsStore: 'fake', auths: {} });
  const result = await saveCredentials('store.example', { username: 'su', password: 'sp' }, { env: fake.env, homedir: h });
  assert.equal(result.helper, 'fake');
  assert.deepEqual((await readConfig(h)).auths, { 'store.example': {} });
  assert.deepEqual((await fake.stored())['store.example'], { ServerURL: 'store.example', Username: 'su', Secret: 'sp' });
  const auth = await newDefaultKeychain({ env: fake.env, homedir: h }).resolve({ registry: 'store.example' });
  assert.deepEqual(await auth.authorization(), { username: 'su', password: 'sp' });
  // credHelpers beats credsStore for its registry.
  const h2 = await home({ credsStore: 'absent', credHelpers: { 'per.example': 'fake' } });
  assert.equal((await saveCredentials('per.example', { username: 'a', password: 'b' }, { env: fake.env, homedir: h2 })).helper, 'fake');
});

test('logout removes every key that would answer for the registry, and erases from the helper', async () => {
  const h = await home({
    auths: {
      'r.example': { auth: b64('a:1') },
      'https://r.example': { auth: b64('b:2') },
      'http://r.example/v1/': { auth: b64('c:3') },
      'r.example/team': { auth: b64('ns:4') },
      'keep.example': { auth: b64('k:5') },
    },
    credHelpers: { 'helped.example': 'fake' },
  });
  await eraseCredentials('r.example', { env: {}, homedir: h });
  // `r.example/team` goes too: docker-cli's lookup by host would still answer with it.
  assert.deepEqual(Object.keys((await readConfig(h)).auths), ['keep.example']);
  const afterLogout = await newDefaultKeychain({ env: {}, homedir: h }).resolve({ registry: 'r.example', repository: 'x' });
  assert.deepEqual(await afterLogout.authorization(), {});
  await fake.seed('helped.example', 'x', 'y');
  await eraseCredentials('helped.example', { env: fake.env, homedir: h });
  assert.equal((await fake.stored())['helped.example'], undefined);
  // Nothing to forget: the file is left alone, and a missing file is not created.
  const before = await readFile(join(h, '.docker', 'config.json'), 'utf8');
  await eraseCredentials('never.example', { env: {}, homedir: h });
  assert.equal(await readFile(join(h, '.docker', 'config.json'), 'utf8'), before);
  const empty = join(dir, `nohome${n++}`);
  await eraseCredentials('r.example', { env: {}, homedir: empty });
  await assert.rejects(stat(join(empty, '.docker', 'config.json')), { code: 'ENOENT' });
});

test('a config.json that is not JSON is not overwritten', async () => {
  const h = await home();
  await writeFile(join(h, '.docker', 'config.json'), '{"auths": {');
  await assert.rejects(saveCredentials('r.example', { username: 'u', password: 'p' }, { env: {}, homedir: h }), /not overwriting it/);
  assert.equal(await readFile(join(h, '.docker', 'config.json'), 'utf8'), '{"auths": {');
});
