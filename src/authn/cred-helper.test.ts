import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { hasCode } from '../errors/index.ts';
import { installFakeHelper, type FakeHelper } from '../../test/harness/fake-credential-helper.ts';
import { makeTempDir, removeTempDir } from '../../test/harness/temp-dir.ts';
import { credentialHelper, helperCredentialsToAuthConfig } from './cred-helper.ts';

let dir: string;
let fake: FakeHelper;
before(async () => {
  dir = await makeTempDir('cred-helper');
  fake = await installFakeHelper(dir, 'fake');
});
after(() => removeTempDir(dir));

test('store, get, list and erase go through the helper program', async () => {
  const h = credentialHelper('fake', { env: fake.env });
  assert.equal(h.program, 'docker-credential-fake');
  await h.store({ serverURL: 'r.example', username: 'alice', secret: 'pw' });
  assert.deepEqual(await h.get('r.example'), { serverURL: 'r.example', username: 'alice', secret: 'pw' });
  assert.deepEqual(await h.list(), { 'r.example': 'alice' });
  await h.erase('r.example');
  assert.equal(await h.get('r.example'), undefined);
  const calls = await fake.calls();
  assert.deepEqual(
    calls.map((c) => c.action),
    ['store', 'get', 'list', 'erase', 'get'],
  );
  // The protocol: the server URL alone on stdin for get/erase, JSON for store.
  assert.equal(calls[1]?.input, 'r.example');
  assert.deepEqual(JSON.parse(calls[0]?.input ?? ''), { ServerURL: 'r.example', Username: 'alice', Secret: 'pw' });
});

test('"credentials not found" is no credentials; erasing what is not there is fine', async () => {
  const h = credentialHelper('fake', { env: fake.env });
  assert.equal(await h.get('nothing.example'), undefined);
  await h.erase('nothing.example');
});

test('any other failure names the helper and quotes it', async () => {
  const h = credentialHelper('fake', { env: fake.env });
  await assert.rejects(h.get('locked.example'), (err: Error) => {
    assert.ok(hasCode(err, 'ERR_CREDENTIALS'));
    assert.match(err.message, /credential helper "fake" failed to get credentials for locked\.example: error: the keyring is locked \(exit status 1\)/);
    return true;
  });
});

test('a helper that is not on PATH is reported as such', async () => {
  await assert.rejects(credentialHelper('absent', { env: fake.env }).get('r.example'), /docker-credential-absent not found on PATH/);
});

test('a helper that hangs is killed after the timeout', async () => {
  const started = Date.now();
  await assert.rejects(credentialHelper('fake', { env: fake.env, timeoutMs: 300 }).get('slow.example'), /did not finish within 0\.3 s/);
  assert.ok(Date.now() - started < 5000);
});

test('no shell: the server URL is data, not a command line', async () => {
  const marker = join(dir, 'pwned');
  await credentialHelper('fake', { env: fake.env }).get(`$(touch ${marker})`);
  assert.equal(existsSync(marker), false);
  assert.throws(() => credentialHelper('../bin/sh'), /without slashes/);
});

test('username <token> makes the secret an identity token', () => {
  assert.deepEqual(helperCredentialsToAuthConfig({ serverURL: 'r', username: '<token>', secret: 'refresh' }), {
    identityToken: 'refresh',
  });
  assert.deepEqual(helperCredentialsToAuthConfig({ serverURL: 'r', username: 'u', secret: 'p' }), {
    username: 'u',
    password: 'p',
  });
});

test('an aborted signal kills the helper', async () => {
  const ac = new AbortController();
  const p = credentialHelper('fake', { env: fake.env }).get('slow.example', { signal: ac.signal });
  setTimeout(() => ac.abort(new Error('stop')), 50);
  await assert.rejects(p, /stop/);
});
