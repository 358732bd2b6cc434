import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { hasCode } from '../../errors/index.ts';
import { parseAuthConfig, type AuthConfig } from './access.ts';
import { createAuthorizer, type AuthorizeRequest, type AuthorizeResult, type Authorizer } from './authorize.ts';
import { signJwt } from './jwt.ts';
import { parseScopes } from './scope.ts';
import { loadOrCreateSigningKey, type TokenSigningKey } from './signing-key.ts';
import { createTokenServer, type TokenServer } from './token-server.ts';

let config: AuthConfig;
before(async () => {
  config = await parseAuthConfig(
    {
      users: { alice: bcrypt.hashSync('wonderland', 4), bob: bcrypt.hashSync('builder', 4) },
      access: [
        { account: 'alice', repository: 'team/*', actions: ['pull', 'push'] },
        { account: 'anonymous', repository: 'public/*', actions: ['pull'] },
        { account: 'alice', catalog: true },
      ],
    },
    '/',
  );
});

const request = (authorization?: string, host = 'registry.test:5000'): AuthorizeRequest =>
  ({ headers: authorization === undefined ? { host } : { host, authorization } }) as AuthorizeRequest;
const basic = (user: string, password: string): AuthorizeRequest =>
  request(`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
const bearer = (token: string): AuthorizeRequest => request(`Bearer ${token}`);

function refusal(result: AuthorizeResult): Extract<AuthorizeResult, { ok: false }> {
  assert.equal(result.ok, false, 'expected a refusal');
  return result as Extract<AuthorizeResult, { ok: false }>;
}

test('mode none allows everything, anonymously', async () => {
  const authorize = createAuthorizer({ mode: 'none' });
  assert.deepEqual(await authorize(request(), { repository: 'a/b', actions: ['pull', 'push', 'delete'] }), { ok: true });
  assert.deepEqual(await authorize(basic('x', 'y'), { actions: [], catalog: true }), { ok: true });
});

describe('mode basic', () => {
  let authorize: Authorizer;
  before(() => {
    authorize = createAuthorizer({ mode: 'basic', config, realm: 'basic-realm' });
  });

  test('/v2/ challenges anonymous clients and admits any user', async () => {
    const r = refusal(await authorize(request(), { actions: [] }));
    assert.deepEqual(r, { ok: false, status: 401, challenge: 'Basic realm="basic-realm"', message: 'authentication required', code: 'UNAUTHORIZED' });
    assert.deepEqual(await authorize(basic('bob', 'builder'), { actions: [] }), { ok: true, account: 'bob' });
  });

  test('wrong passwords, unknown users and malformed credentials are a 401', async () => {
    for (const req of [basic('alice', 'nope'), basic('mallory', 'x'), request('Basic %%%')]) {
      const r = refusal(await authorize(req, { repository: 'public/x', actions: ['pull'] }));
      assert.equal(r.status, 401);
      assert.equal(r.code, 'UNAUTHORIZED');
      assert.equal(r.challenge, 'Basic realm="basic-realm"');
    }
  });

  test('a user gets what the access file allows, and a 403 for the rest', async () => {
    assert.deepEqual(await authorize(basic('alice', 'wonderland'), { repository: 'team/app', actions: ['pull', 'push'] }), { ok: true, account: 'alice' });
    const r = refusal(await authorize(basic('alice', 'wonderland'), { repository: 'team/app', actions: ['pull', 'delete'] }));
    assert.equal(r.status, 403);
    assert.equal(r.code, 'DENIED');
    assert.equal(r.message, 'alice may not delete in "team/app"');
    assert.equal(refusal(await authorize(basic('bob', 'builder'), { repository: 'team/app', actions: ['pull'] })).status, 403);
  });

  test('anonymous requests get what anonymous rules allow, and a 401 for the rest', async () => {
    assert.deepEqual(await authorize(request(), { repository: 'public/x', actions: ['pull'] }), { ok: true });
    assert.equal(refusal(await authorize(request(), { repository: 'public/x', actions: ['pull', 'push'] })).status, 401);
    assert.equal(refusal(await authorize(request(), { repository: 'team/app', actions: ['pull'] })).status, 401);
    // A Bearer token means nothing here; the request is judged as anonymous.
    assert.deepEqual(await authorize(request('Bearer abc'), { repository: 'public/x', actions: ['pull'] }), { ok: true });
  });

  test('the catalog needs a catalog rule', async () => {
    assert.deepEqual(await authorize(basic('alice', 'wonderland'), { actions: [], catalog: true }), { ok: true, account: 'alice' });
    const r = refusal(await authorize(basic('bob', 'builder'), { actions: [], catalog: true }));
    assert.equal(r.status, 403);
    assert.equal(r.message, 'bob may not list the catalog');
    assert.equal(refusal(await authorize(request(), { actions: [], catalog: true })).status, 401);
  });

  test('a need with actions but no repository is a programming error', async () => {
    await assert.rejects(authorize(request(), { actions: ['pull'] }), (err: Error) => hasCode(err, 'ERR_INVALID_ARGUMENT'));
  });
});

describe('mode token', () => {
  const realm = 'http://127.0.0.1:5001/token';
  const NOW = 1_900_000_000_000;
  let key: TokenSigningKey;
  let tokens: TokenServer;
  let authorize: Authorizer;
  const issue = (account: string | undefined, ...scopes: string[]): string => tokens.issue(account, parseScopes(scopes)).token;

  before(async () => {
    key = await loadOrCreateSigningKey({ keyType: 'ec' });
    tokens = await createTokenServer({ config, service: 'test-registry', issuer: 'test-issuer', signingKey: key, now: () => NOW });
    authorize = createAuthorizer({ mode: 'token', realm, service: 'test-registry', issuer: 'test-issuer', trustedKeys: [key.publicKey], now: () => NOW });
  });

  test('requests without a token are challenged with the realm, service and needed scope', async () => {
    const base = refusal(await authorize(request(), { actions: [] }));
    assert.deepEqual(base, {
      ok: false,
      status: 401,
      challenge: 'Bearer realm="http://127.0.0.1:5001/token",service="test-registry"',
      message: 'authorization token required',
      code: 'UNAUTHORIZED',
    });
    const push = refusal(await authorize(request(), { repository: 'team/app', actions: ['push', 'pull'] }));
    assert.equal(push.challenge, 'Bearer realm="http://127.0.0.1:5001/token",service="test-registry",scope="repository:team/app:pull,push"');
    const catalog = refusal(await authorize(basic('alice', 'wonderland'), { actions: [], catalog: true }));
    assert.equal(catalog.challenge, 'Bearer realm="http://127.0.0.1:5001/token",service="test-registry",scope="registry:catalog:*"');
  });

  test('a token that grants the need admits its subject', async () => {
    const token = issue('alice', 'repository:team/app:pull,push');
    assert.deepEqual(await authorize(bearer(token), { repository: 'team/app', actions: ['pull', 'push'] }), { ok: true, account: 'alice' });
    assert.deepEqual(await authorize(bearer(token), { actions: [] }), { ok: true, account: 'alice' });
    assert.deepEqual(await authorize(bearer(issue(undefined, 'repository:public/x:pull')), { repository: 'public/x', actions: ['pull'] }), { ok: true });
    assert.deepEqual(await authorize(bearer(issue('alice', 'registry:catalog:*')), { actions: [], catalog: true }), { ok: true, account: 'alice' });
  });

  test('a token lacking an action is a 401 asking for the whole scope, error insufficient_scope', async () => {
    const pullOnly = issue('alice', 'repository:team/app:pull');
    const r = refusal(await authorize(bearer(pullOnly), { repository: 'team/app', actions: ['pull', 'push'] }));
    assert.equal(r.status, 401);
    assert.equal(r.code, 'UNAUTHORIZED');
    assert.equal(r.challenge, 'Bearer realm="http://127.0.0.1:5001/token",service="test-registry",scope="repository:team/app:pull,push",error="insufficient_scope"');
    assert.match(r.message, /does not allow push in "team\/app"/);
    const elsewhere = refusal(await authorize(bearer(pullOnly), { repository: 'team/web', actions: ['pull'] }));
    assert.match(elsewhere.challenge, /scope="repository:team\/web:pull",error="insufficient_scope"$/);
    const noCatalog = refusal(await authorize(bearer(pullOnly), { actions: [], catalog: true }));
    assert.match(noCatalog.challenge, /scope="registry:catalog:\*",error="insufficient_scope"$/);
  });

  test('a token whose access says * allows every action, as distribution reads it', async () => {
    const iat = NOW / 1000;
    const token = signJwt(
      { iss: 'test-issuer', sub: 'root', aud: 'test-registry', exp: iat + 60, nbf: iat, iat, jti: 'j', access: [{ type: 'repository', name: 'x', actions: ['*'] }] },
      key,
    );
    assert.deepEqual(await authorize(bearer(token), { repository: 'x', actions: ['pull', 'push', 'delete'] }), { ok: true, account: 'root' });
  });

  test('expired, foreign, garbled and refresh tokens are a 401 with error invalid_token', async () => {
    const later = createAuthorizer({ mode: 'token', realm, service: 'test-registry', issuer: 'test-issuer', trustedKeys: [key.publicKey], now: () => NOW + 3_600_000 });
    const expired = refusal(await later(bearer(issue('alice', 'repository:team/app:pull')), { repository: 'team/app', actions: ['pull'] }));
    assert.equal(expired.challenge, 'Bearer realm="http://127.0.0.1:5001/token",service="test-registry",scope="repository:team/app:pull",error="invalid_token"');
    assert.match(expired.message, /expired/);

    const stranger = createAuthorizer({ mode: 'token', realm, service: 'test-registry', issuer: 'test-issuer', trustedKeys: [generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey], now: () => NOW });
    assert.match(refusal(await stranger(bearer(issue('alice')), { actions: [] })).challenge, /error="invalid_token"$/);

    const otherService = createAuthorizer({ mode: 'token', realm, service: 'other-registry', issuer: 'test-issuer', trustedKeys: [key.publicKey], now: () => NOW });
    assert.match(refusal(await otherService(bearer(issue('alice')), { actions: [] })).message, /audience/);

    assert.match(refusal(await authorize(bearer('not.a.jwt'), { actions: [] })).challenge, /error="invalid_token"$/);

    const iat = NOW / 1000;
    const refresh = signJwt({ iss: 'test-issuer', sub: 'alice', aud: 'test-registry', exp: iat + 60, iat, use: 'refresh' }, key);
    assert.equal(refusal(await authorize(bearer(refresh), { actions: [] })).message, 'a refresh token is not an access token');
  });

  test('Basic credentials are not a token: the client is told where to get one', async () => {
    const r = refusal(await authorize(basic('alice', 'wonderland'), { repository: 'team/app', actions: ['pull'] }));
    assert.equal(r.challenge, 'Bearer realm="http://127.0.0.1:5001/token",service="test-registry",scope="repository:team/app:pull"');
  });

  test('with the access file, anonymous pulls it allows need no token; /v2/ still challenges', async () => {
    const open = createAuthorizer({ mode: 'token', realm, service: 'test-registry', issuer: 'test-issuer', trustedKeys: [key.publicKey], config, now: () => NOW });
    assert.deepEqual(await open(request(), { repository: 'public/x', actions: ['pull'] }), { ok: true });
    assert.equal(refusal(await open(request(), { repository: 'public/x', actions: ['pull', 'push'] })).status, 401);
    assert.equal(refusal(await open(request(), { actions: [] })).status, 401);
  });

  test('the realm may be computed from the request', async () => {
    const byHost = createAuthorizer({
      mode: 'token',
      realm: (req) => `http://${String(req.headers.host)}/token`,
      service: 'test-registry',
      trustedKeys: [key.publicKey],
    });
    const r = refusal(await byHost(request(undefined, 'example.test:5000'), { actions: [] }));
    assert.equal(r.challenge, 'Bearer realm="http://example.test:5000/token",service="test-registry"');
  });
});
