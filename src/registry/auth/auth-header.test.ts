import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basicChallenge, bearerChallenge, parseAuthorization } from './auth-header.ts';

const basic = (s: string): string => `Basic ${Buffer.from(s, 'utf8').toString('base64')}`;

test('Basic credentials decode as UTF-8 and split at the first colon', () => {
  assert.deepEqual(parseAuthorization(basic('alice:pa:ss')), { scheme: 'basic', username: 'alice', password: 'pa:ss' });
  assert.deepEqual(parseAuthorization(basic('jörg:ünïcode')), { scheme: 'basic', username: 'jörg', password: 'ünïcode' });
  assert.deepEqual(parseAuthorization(basic(':')), { scheme: 'basic', username: '', password: '' });
  assert.deepEqual(parseAuthorization(`bAsIc ${Buffer.from('a:b').toString('base64')}`), { scheme: 'basic', username: 'a', password: 'b' });
});

test('Bearer tokens, other schemes, absent and malformed headers are told apart', () => {
  assert.deepEqual(parseAuthorization('Bearer abc.def.ghi'), { scheme: 'bearer', token: 'abc.def.ghi' });
  assert.deepEqual(parseAuthorization('bearer  x '), { scheme: 'bearer', token: 'x' });
  assert.deepEqual(parseAuthorization('Digest username="a"'), { scheme: 'other' });
  assert.equal(parseAuthorization(undefined), undefined);
  assert.equal(parseAuthorization('  '), undefined);
  assert.deepEqual(parseAuthorization('Bearer'), { scheme: 'malformed' });
  assert.deepEqual(parseAuthorization('Basic !!!'), { scheme: 'malformed' });
  assert.deepEqual(parseAuthorization(basic('no-colon')), { scheme: 'malformed' });
});

test('challenges are written as distribution writes them', () => {
  assert.equal(basicChallenge('basic-realm'), 'Basic realm="basic-realm"');
  assert.equal(basicChallenge('say "hi" \\o/'), 'Basic realm="say \\"hi\\" \\\\o/"');
  assert.equal(
    bearerChallenge({ realm: 'http://127.0.0.1:5001/token', service: 'test-registry' }),
    'Bearer realm="http://127.0.0.1:5001/token",service="test-registry"',
  );
  assert.equal(
    bearerChallenge({ realm: 'https://a/token', service: 's', scope: 'repository:x:pull,push', error: 'insufficient_scope' }),
    'Bearer realm="https://a/token",service="s",scope="repository:x:pull,push",error="insufficient_scope"',
  );
  assert.equal(bearerChallenge({ realm: 'r', service: 's', scope: '' }), 'Bearer realm="r",service="s"');
});
