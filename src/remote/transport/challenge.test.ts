import { test } from 'node:test';
import assert from 'node:assert/strict';
import { challengeScopes, parseChallenge, parseChallenges, pickChallenge } from './challenge.ts';

test("distribution's parser case: quoted, unquoted and escaped values; lower-cased scheme", () => {
  const c = parseChallenge(String.raw`Bearer realm="https://auth.example.com/token",service="registry.example.com",other=fun,slashed="he\"\l\lo"`);
  assert.deepEqual(c, {
    scheme: 'bearer',
    parameters: { realm: 'https://auth.example.com/token', service: 'registry.example.com', other: 'fun', slashed: 'he"llo' },
  });
});

test('scheme and parameter names are case-insensitive; spaces after commas are allowed', () => {
  assert.deepEqual(parseChallenge('BASIC Realm="Registry Realm"'), { scheme: 'basic', parameters: { realm: 'Registry Realm' } });
  assert.deepEqual(parseChallenge('bEaReR realm="r", Service="s",  scope="repository:a/b:pull,push"'), {
    scheme: 'bearer',
    parameters: { realm: 'r', service: 's', scope: 'repository:a/b:pull,push' },
  });
  assert.deepEqual(parseChallenge('Basic'), { scheme: 'basic', parameters: {} });
});

test('malformed headers stop the parse where they break, never throw', () => {
  const cases: [string, ReturnType<typeof parseChallenge>][] = [
    ['', undefined],
    ['=====', undefined],
    ['"Bearer"', undefined],
    ['Bearer realm="unterminated', { scheme: 'bearer', parameters: {} }],
    ['Bearer realm=""', { scheme: 'bearer', parameters: {} }],
    ['Bearer realm', { scheme: 'bearer', parameters: {} }],
    ['Bearer realm = "x"', { scheme: 'bearer', parameters: {} }],
    ['Bearer ,,,', { scheme: 'bearer', parameters: {} }],
    ['Bearer realm="a",,service="b"', { scheme: 'bearer', parameters: { realm: 'a' } }],
    ['Bearer realm="a" service="b"', { scheme: 'bearer', parameters: { realm: 'a' } }],
    // A token value stops at a separator: an unquoted URL is cut at its colon, as in distribution.
    ['Bearer realm=https://auth/token', { scheme: 'bearer', parameters: { realm: 'https' } }],
    ['Bearer realm="x\\', { scheme: 'bearer', parameters: {} }],
  ];
  for (const [header, want] of cases) assert.deepEqual(parseChallenge(header), want, header);
});

test('several headers give several challenges; Basic or Bearer is picked over others (ggcr)', () => {
  const list = parseChallenges(['Negotiate', 'Basic realm="http://auth.example.com/token"']);
  assert.equal(list.length, 2);
  assert.deepEqual(pickChallenge(list), { scheme: 'basic', parameters: { realm: 'http://auth.example.com/token' } });
  assert.equal(pickChallenge(parseChallenges(['Negotiate', 'Digest']))?.scheme, 'negotiate');
  assert.equal(pickChallenge(parseChallenges(['Digest realm="x"', 'Bearer realm="y"']))?.parameters['realm'], 'y');
  assert.equal(pickChallenge(parseChallenges(undefined)), undefined);
  assert.deepEqual(parseChallenges(['', '===']), []);
});

test('a scope parameter may name several scopes', () => {
  assert.deepEqual(challengeScopes(parseChallenge('Bearer scope="repository:a:pull repository:b:pull,push"')!), [
    'repository:a:pull',
    'repository:b:pull,push',
  ]);
  assert.deepEqual(challengeScopes(parseChallenge('Bearer realm="r"')!), []);
});
