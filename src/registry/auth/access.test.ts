import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import { hasCode } from '../../errors/index.ts';
import { allowedActions, catalogAllowed, loadAuthConfig, parseAuthConfig } from './access.ts';

const hash = bcrypt.hashSync('pw', 4);

const document = {
  users: { alice: hash, bob: hash, admin: hash },
  access: [
    { account: 'alice', repository: 'team/*', actions: ['pull', 'push'] },
    { account: 'alice', repository: 'team/app', actions: ['delete'] },
    { account: '*', repository: 'library/**', actions: ['pull'] },
    { account: 'anonymous', repository: 'public/**', actions: ['pull'] },
    { account: 'admin', repository: '**', actions: ['*'] },
    { account: 'admin', catalog: true },
  ],
};

const sorted = (s: Set<string>): string[] => [...s].sort();

test('rules add up per account and repository', async () => {
  const config = await parseAuthConfig(document, '/');
  assert.deepEqual(sorted(allowedActions(config, 'alice', 'team/app')), ['delete', 'pull', 'push']);
  assert.deepEqual(sorted(allowedActions(config, 'alice', 'team/web')), ['pull', 'push']);
  assert.deepEqual(sorted(allowedActions(config, 'alice', 'team/web/x')), []);
  assert.deepEqual(sorted(allowedActions(config, 'bob', 'team/app')), []);
  assert.deepEqual(sorted(allowedActions(config, 'admin', 'anything/at/all')), ['delete', 'pull', 'push']);
});

test('"*" covers every logged-in user but not anonymous requests', async () => {
  const config = await parseAuthConfig(document, '/');
  assert.deepEqual(sorted(allowedActions(config, 'bob', 'library/ubuntu')), ['pull']);
  assert.deepEqual(sorted(allowedActions(config, undefined, 'library/ubuntu')), []);
});

test('"anonymous" rules apply to everyone, so logging in never loses rights', async () => {
  const config = await parseAuthConfig(document, '/');
  assert.deepEqual(sorted(allowedActions(config, undefined, 'public/a/b')), ['pull']);
  assert.deepEqual(sorted(allowedActions(config, 'bob', 'public/a/b')), ['pull']);
  assert.deepEqual(sorted(allowedActions(config, undefined, 'team/app')), []);
});

test('the catalog needs a catalog rule', async () => {
  const config = await parseAuthConfig(document, '/');
  assert.equal(catalogAllowed(config, 'admin'), true);
  assert.equal(catalogAllowed(config, 'alice'), false);
  assert.equal(catalogAllowed(config, undefined), false);
});

test('without an access list, logged-in users may do everything and anonymous nothing', async () => {
  const config = await parseAuthConfig({ users: { alice: hash } }, '/');
  assert.deepEqual(sorted(allowedActions(config, 'alice', 'x/y/z')), ['delete', 'pull', 'push']);
  assert.equal(catalogAllowed(config, 'alice'), true);
  assert.deepEqual(sorted(allowedActions(config, undefined, 'x')), []);
  assert.equal(catalogAllowed(config, undefined), false);
});

test('loadAuthConfig reads an htpasswd file relative to the access file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'access-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'etc'));
  await writeFile(join(dir, 'etc', 'users'), `carol:${hash}\n`);
  await writeFile(join(dir, 'etc', 'access.json'), JSON.stringify({ htpasswd: 'users', access: [{ account: 'carol', repository: 'c/*', actions: ['pull'] }] }));
  const config = await loadAuthConfig(join(dir, 'etc', 'access.json'));
  assert.deepEqual([...config.users.keys()], ['carol']);
  assert.deepEqual(sorted(allowedActions(config, 'carol', 'c/d')), ['pull']);
});

test('loadAuthConfig names the file when it is not JSON', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'access-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'access.json');
  await writeFile(file, '{ users: }');
  await assert.rejects(loadAuthConfig(file), (err: Error) => hasCode(err, 'ERR_BAD_DOCUMENT') && err.message.includes(file));
});

test('mistakes are refused with the path of the field and the source', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [[], /^must be a JSON object/],
    [{ user: {} }, /^user: unknown field "user"/],
    [{ users: {}, htpasswd: 'x' }, /either "users" or "htpasswd"/],
    [{ users: { alice: 'plain' } }, /^users\.alice: user "alice" has plain text/],
    [{ users: { anonymous: hash } }, /^users: user name "anonymous" is reserved/],
    [{ access: {} }, /^access: must be a list/],
    [{ access: [{ account: 'a', repository: 'x', actions: ['pul'] }] }, /^access\[0\]\.actions\[0\]: unknown action "pul"/],
    [{ access: [{ account: 'a', repository: 'x', actions: [] }] }, /^access\[0\]\.actions: must be a non-empty list/],
    [{ access: [{ account: 'a', repository: 'X/*', actions: ['pull'] }] }, /^access\[0\]\.repository: repository pattern "X\/\*"/],
    [{ access: [{ repository: 'x', actions: ['pull'] }] }, /^access\[0\]\.account: must be a user name/],
    [{ access: [{ account: 'a', catalog: true, actions: ['pull'] }] }, /^access\[0\]: a catalog rule has no repository or actions/],
    [{ access: [{ account: 'a', repo: 'x' }] }, /^access\[0\]\.repo: unknown field "repo"/],
  ];
  for (const [doc, expected] of cases) {
    await assert.rejects(
      parseAuthConfig(doc, '/', 'test.json'),
      (err: Error) => hasCode(err, 'ERR_BAD_DOCUMENT') && expected.test(err.message) && err.message.includes('(in test.json)'),
      JSON.stringify(doc),
    );
  }
});
