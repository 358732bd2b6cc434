import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeScript } from '../../test/harness/fake-credential-helper.ts';
import { makeTempDir, removeTempDir } from '../../test/harness/temp-dir.ts';
import { Anonymous } from './authenticator.ts';
import { gcloudAuthenticator, isGoogleRegistry, newGoogleKeychain } from './google.ts';

let dir: string;
let bin: string;
let brokenBin: string;
const log = () => readFile(join(dir, 'gcloud.log'), 'utf8').then((t) => t.split('\n').filter(Boolean), () => [] as string[]);

before(async () => {
  dir = await makeTempDir('google');
  bin = join(dir, 'bin');
  brokenBin = join(dir, 'broken');
  // A fake gcloud: counts its runs, hands out token-N expiring at the time in GCLOUD_EXPIRY.
  await writeScript(
    bin,
    'gcloud',
    `const fs = require('node:fs');
const logPath = ${JSON.stringify(join(dir, 'gcloud.log'))};
fs.appendFileSync(logPath, process.argv.slice(2).join(' ') + '\\n');
const n = fs.readFileSync(logPath, 'utf8').split('\\n').filter(Boolean).length;
process.stdout.write(JSON.stringify({ credential: { access_token: 'token-' + n, token_expiry: process.env.GCLOUD_EXPIRY } }));`,
  );
  await writeScript(brokenBin, 'gcloud', `process.stderr.write('ERROR: (gcloud.config.config-helper) You do not currently have an active account selected.\\n'); process.exit(1);`);
});
after(() => removeTempDir(dir));

test('the hosts ggcr answers for', () => {
  for (const h of ['gcr.io', 'us.gcr.io', 'europe-docker.pkg.dev', 'us-central1-docker.pkg.dev', 'x.google.com']) assert.ok(isGoogleRegistry(h), h);
  for (const h of ['gcr.io.example.com', 'ghcr.io', 'pkg.dev.example', 'docker.io']) assert.ok(!isGoogleRegistry(h), h);
});

test('gcloud is run with config-helper and its token is reused until 10 s before expiry', async () => {
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const auth = gcloudAuthenticator({ env: { PATH: bin, GCLOUD_EXPIRY: '2030-01-01T01:00:00Z' }, now: () => clock });
  const first = await auth.authorization();
  assert.equal(first.username, 'oauth2accesstoken');
  assert.match(first.password ?? '', /^token-\d+$/);
  clock += 59 * 60_000;
  assert.equal((await auth.authorization()).password, first.password);
  clock += 51_000;
  assert.notEqual((await auth.authorization()).password, first.password);
  const runs = await log();
  assert.equal(runs.at(-1), 'config config-helper --force-auth-refresh --format=json(credential)');
});

test('the keychain checks gcloud once, answers only Google hosts, and shares one authenticator', async () => {
  const kc = newGoogleKeychain({ env: { PATH: bin, GCLOUD_EXPIRY: '2999-01-01T00:00:00Z' } });
  const before = (await log()).length;
  assert.equal(await kc.resolve({ registry: 'ghcr.io' }), Anonymous);
  assert.equal((await log()).length, before, 'gcloud not run for other hosts');
  const [a, b] = await Promise.all([kc.resolve({ registry: 'gcr.io', repository: 'p/i' }), kc.resolve({ registry: 'us-docker.pkg.dev' })]);
  assert.equal(a, b);
  assert.notEqual(a, Anonymous);
  await a.authorization();
  assert.equal((await log()).length, before + 1, 'one gcloud run for the check, token reused');
});

test('no gcloud on PATH, or a failing one, is Anonymous; the authenticator itself reports why', async () => {
  assert.equal(await newGoogleKeychain({ env: { PATH: join(dir, 'empty') } }).resolve({ registry: 'gcr.io' }), Anonymous);
  assert.equal(await newGoogleKeychain({ env: { PATH: brokenBin } }).resolve({ registry: 'gcr.io' }), Anonymous);
  await assert.rejects(gcloudAuthenticator({ env: { PATH: brokenBin } }).authorization(), /config-helper failed \(exit status 1\): ERROR: .*active account/);
});
