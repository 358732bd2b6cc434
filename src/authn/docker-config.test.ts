import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir, removeTempDir } from '../../test/harness/temp-dir.ts';
import {
  dockerAuthConfigFromEnv,
  dockerConfigDir,
  dockerConfigExists,
  dockerConfigPath,
  loadDockerConfig,
  parseDockerConfig,
} from './docker-config.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
let dir: string;
before(async () => {
  dir = await makeTempDir('docker-config');
});
after(() => removeTempDir(dir));

test('DOCKER_CONFIG names the folder; else ~/.docker', () => {
  assert.equal(dockerConfigDir({ env: {}, homedir: '/home/u' }), '/home/u/.docker');
  assert.equal(dockerConfigPath({ env: { DOCKER_CONFIG: '/etc/dc' }, homedir: '/home/u' }), '/etc/dc/config.json');
  assert.equal(dockerConfigPath({ env: { DOCKER_CONFIG: '' }, homedir: '/home/u' }), '/home/u/.docker/config.json');
  assert.equal(dockerConfigDir({ env: { HOME: '/h2' } }), '/h2/.docker');
});

test("a Docker config counts as present if either ggcr location has config.json", async () => {
  const home = join(dir, 'home1');
  const alt = join(dir, 'alt1');
  await mkdir(join(home, '.docker'), { recursive: true });
  await mkdir(alt, { recursive: true });
  assert.equal(await dockerConfigExists({ env: { DOCKER_CONFIG: alt }, homedir: home }), false);
  await writeFile(join(alt, 'config.json'), '{}');
  assert.equal(await dockerConfigExists({ env: { DOCKER_CONFIG: alt }, homedir: home }), true);
  await writeFile(join(home, '.docker', 'config.json'), '{}');
  assert.equal(await dockerConfigExists({ env: {}, homedir: home }), true);
  // A folder named config.json is not a config.
  const weird = join(dir, 'weird');
  await mkdir(join(weird, '.docker', 'config.json'), { recursive: true });
  assert.equal(await dockerConfigExists({ env: {}, homedir: weird }), false);
});

test('config.json is read with auths decoded, credential helpers and HttpHeaders kept', async () => {
  const path = join(dir, 'c1.json');
  await writeFile(
    path,
    JSON.stringify({
      auths: { 'https://index.docker.io/v1/': { auth: b64('hub:pw') }, 'gcr.io': {} },
      credHelpers: { 'gcr.io': 'gcloud' },
      credsStore: 'desktop',
      HttpHeaders: { 'X-Meta': 'v' },
      psFormat: 'table',
    }),
  );
  const cfg = await loadDockerConfig({ path });
  assert.equal(cfg.exists, true);
  assert.deepEqual([...cfg.auths], [
    ['https://index.docker.io/v1/', { username: 'hub', password: 'pw' }],
    ['gcr.io', {}],
  ]);
  assert.deepEqual(cfg.credHelpers, { 'gcr.io': 'gcloud' });
  assert.equal(cfg.credsStore, 'desktop');
  assert.deepEqual(cfg.httpHeaders, { 'X-Meta': 'v' });
});

test('a missing file is an empty config; an empty file too', async () => {
  const missing = await loadDockerConfig({ path: join(dir, 'nope.json') });
  assert.equal(missing.exists, false);
  assert.equal(missing.auths.size, 0);
  assert.equal(parseDockerConfig('  \n', 'x').auths.size, 0);
});

test('malformed JSON is refused without quoting it', () => {
  assert.throws(
    () => parseDockerConfig('{"auths": {"r": {"password": "hunter2"}', '/c.json'),
    (err: Error) => /\/c\.json is not valid JSON/.test(err.message) && !err.message.includes('hunter2'),
  );
  assert.throws(() => parseDockerConfig('[]', '/c.json'), /must hold a JSON object/);
  assert.throws(() => parseDockerConfig('{"credHelpers": {"a": 1}}', '/c.json'), /credHelpers\["a"\]: must be a string in \/c\.json/);
});

test('DOCKER_AUTH_CONFIG carries a config in a variable; an unparseable one is ignored', () => {
  const env = { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'ci.example': { auth: b64('ci:tok') } } }) };
  assert.deepEqual(dockerAuthConfigFromEnv(env)?.get('ci.example'), { username: 'ci', password: 'tok' });
  assert.equal(dockerAuthConfigFromEnv({ DOCKER_AUTH_CONFIG: '{nope' }), undefined);
  assert.equal(dockerAuthConfigFromEnv({}), undefined);
});
