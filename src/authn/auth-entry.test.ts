import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../errors/index.ts';
import { decodeAuth, encodeAuth, goField, parseAuthEntry } from './auth-entry.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('auth decodes into username and password and wins over the separate fields', () => {
  assert.deepEqual(parseAuthEntry({ auth: b64('alice:s3cr:et'), username: 'bob', password: 'x' }, 'e'), {
    username: 'alice',
    password: 's3cr:et',
  });
});

test('field names match case-insensitively, as Go reads them; empty fields are dropped', () => {
  assert.deepEqual(parseAuthEntry({ Username: 'u', Password: 'p', IdentityToken: 'id', registrytoken: '' }, 'e'), {
    username: 'u',
    password: 'p',
    identityToken: 'id',
  });
  assert.deepEqual(parseAuthEntry({}, 'e'), {});
  assert.equal(goField({ Auth: 1, auth: 2 }, 'auth'), 2);
});

test('unpadded base64 is accepted (Kubernetes secrets carry it), NULs trimmed from the password', () => {
  assert.deepEqual(decodeAuth(b64('u:pw').replace(/=+$/, ''), 'e'), ['u', 'pw']);
  assert.deepEqual(decodeAuth(b64('u:pw\0\0'), 'e'), ['u', 'pw']);
  assert.deepEqual(decodeAuth(b64('u:'), 'e'), ['u', undefined]);
});

test('a broken auth names the entry and the file, never the secret', () => {
  for (const bad of [b64('nocolon-topsecret'), b64(':topsecret'), 'not base64!topsecret']) {
    assert.throws(
      () => parseAuthEntry({ auth: bad }, 'auths["r.io"]', '/home/u/.docker/config.json'),
      (err: Error) =>
        hasCode(err, 'ERR_BAD_DOCUMENT') &&
        err.message.startsWith('auths["r.io"].auth: ') &&
        err.message.includes('/home/u/.docker/config.json') &&
        !err.message.includes('topsecret'),
    );
  }
  assert.throws(() => parseAuthEntry({ username: 7 }, 'auths["r.io"]'), /auths\["r.io"\]\.username: must be a string/);
  assert.throws(() => parseAuthEntry('x', 'auths["r.io"]'), /must be an object/);
});

test('encodeAuth writes base64 user:pass, nothing for empty credentials (not ggcr\'s "Og==")', () => {
  assert.equal(encodeAuth('alice', 'pw'), b64('alice:pw'));
  assert.equal(encodeAuth('', ''), undefined);
});
