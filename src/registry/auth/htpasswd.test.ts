import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import { findPeer } from '../../../test/harness/peers.ts';
import { hasCode } from '../../errors/index.ts';
import { loadHtpasswd, parseHtpasswd, PasswordVerifier } from './htpasswd.ts';

// Cost 4, bcrypt's minimum, keeps each check around a millisecond.
const aliceHash = bcrypt.hashSync('wonderland', 4);

test('htpasswd -B output is read and its passwords verify', async (t) => {
  const htpasswd = findPeer(t, 'htpasswd');
  if (!htpasswd) return;
  const dir = await mkdtemp(join(tmpdir(), 'htpasswd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const lines = ['alice:wonder land', 'bob:p@ss:w0rd'].map(
    (pair) => execFileSync(htpasswd, ['-Bbn', '-C', '4', ...pair.split(/:(.*)/s).slice(0, 2)], { encoding: 'utf8' }).trim(),
  );
  const file = join(dir, 'htpasswd');
  await writeFile(file, `${lines.join('\n')}\n`);
  const users = await loadHtpasswd(file);
  assert.deepEqual([...users.keys()], ['alice', 'bob']);
  assert.match(users.get('alice')!, /^\$2y\$04\$/);
  const verifier = new PasswordVerifier(users);
  assert.equal(await verifier.verify('alice', 'wonder land'), true);
  assert.equal(await verifier.verify('bob', 'p@ss:w0rd'), true);
  assert.equal(await verifier.verify('bob', 'p@ss'), false);
  assert.equal(await verifier.verify('alice', 'p@ss:w0rd'), false);
});

test('comments, blank lines and CRLF endings are skipped; $2a$ and $2b$ are bcrypt too', () => {
  const twoA = aliceHash.replace(/^\$2b\$/, '$2a$');
  const users = parseHtpasswd(`# users\r\n\r\nalice:${aliceHash}\r\n  \ncarol:${twoA}\n`);
  assert.deepEqual([...users], [['alice', aliceHash], ['carol', twoA]]);
});

test('other hash kinds are refused, naming the file, line, user and scheme', () => {
  const cases: Array<[string, RegExp]> = [
    ['bob:$apr1$abcdefgh$0123456789abcdefghijkl', /Apache MD5/],
    ['bob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=', /SHA-1/],
    ['bob:$6$salt$hash', /SHA-512-crypt/],
    ['bob:abJnggxhB/yWI', /DES crypt/],
    ['bob:secret', /plain text/],
    ['bob:', /empty hash/],
  ];
  for (const [line, scheme] of cases) {
    assert.throws(
      () => parseHtpasswd(`alice:${aliceHash}\n\n${line}\n`, '/etc/htpasswd'),
      (err: Error) =>
        hasCode(err, 'ERR_BAD_DOCUMENT') &&
        err.message.startsWith('/etc/htpasswd:3: user "bob" has ') &&
        scheme.test(err.message) &&
        err.message.includes('htpasswd -B'),
      line,
    );
  }
});

test('lines without a user, and users listed twice, are refused', () => {
  assert.throws(() => parseHtpasswd(`:${aliceHash}`), /htpasswd:1: expected "user:hash"/);
  assert.throws(() => parseHtpasswd('just-a-name'), /htpasswd:1: expected "user:hash"/);
  assert.throws(() => parseHtpasswd(`alice:${aliceHash}\nalice:${aliceHash}`), /htpasswd:2: user "alice" is listed twice/);
});

test('an unknown user is refused after a decoy bcrypt run', async () => {
  const verifier = new PasswordVerifier(new Map([['alice', aliceHash]]));
  assert.equal(await verifier.verify('mallory', 'wonderland'), false);
});

test('successes are cached until the TTL, failures never; concurrent checks share one run', async (t) => {
  let clock = 1_000_000;
  const compare = t.mock.method(bcrypt, 'compare');
  const verifier = new PasswordVerifier(new Map([['alice', aliceHash]]), { cacheTtlMs: 60_000, now: () => clock });

  const together = await Promise.all([1, 2, 3].map(() => verifier.verify('alice', 'wonderland')));
  assert.deepEqual(together, [true, true, true]);
  assert.equal(compare.mock.callCount(), 1, 'three parallel checks of one pair: one bcrypt run');

  clock += 59_000;
  assert.equal(await verifier.verify('alice', 'wonderland'), true);
  assert.equal(compare.mock.callCount(), 1, 'remembered within the TTL');

  clock += 2_000;
  assert.equal(await verifier.verify('alice', 'wonderland'), true);
  assert.equal(compare.mock.callCount(), 2, 'checked again after the TTL');

  assert.equal(await verifier.verify('alice', 'wrong'), false);
  assert.equal(await verifier.verify('alice', 'wrong'), false);
  assert.equal(compare.mock.callCount(), 4, 'failures are not remembered');
});

test('a changed hash for the same user is not served from the cache', async () => {
  const users = new Map([['alice', aliceHash]]);
  const verifier = new PasswordVerifier(users);
  assert.equal(await verifier.verify('alice', 'wonderland'), true);
  users.set('alice', bcrypt.hashSync('new password', 4));
  assert.equal(await verifier.verify('alice', 'wonderland'), false);
});

test('the cache holds at most maxEntries successes', async (t) => {
  const users = new Map(['a', 'b', 'c'].map((u) => [u, bcrypt.hashSync(u, 4)] as const));
  const compare = t.mock.method(bcrypt, 'compare');
  const verifier = new PasswordVerifier(users, { maxEntries: 2 });
  for (const u of ['a', 'b', 'c']) assert.equal(await verifier.verify(u, u), true);
  assert.equal(compare.mock.callCount(), 3);
  await verifier.verify('c', 'c');
  assert.equal(compare.mock.callCount(), 3, 'the newest is kept');
  await verifier.verify('a', 'a');
  assert.equal(compare.mock.callCount(), 4, 'the oldest was dropped');
});
