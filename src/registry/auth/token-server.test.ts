import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { hasCode } from '../../errors/index.ts';
import { parseAuthConfig, type AuthConfig } from './access.ts';
import { verifyJwt, type TokenClaims } from './jwt.ts';
import { parseScope } from './scope.ts';
import { loadOrCreateSigningKey, type TokenSigningKey } from './signing-key.ts';
import { createTokenServer, type TokenServer } from './token-server.ts';

let config: AuthConfig;
let signingKey: TokenSigningKey;
let tokens: TokenServer;
let server: Server;
let base: string;

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
  signingKey = await loadOrCreateSigningKey({ keyType: 'ec' });
  tokens = await createTokenServer({ config, service: 'test-registry', issuer: 'test-issuer', signingKey, realm: 'token-realm' });
  ({ server, base } = await serve(tokens));
});
after(() => server.close());

/** Serves `issuer` on a loopback port; other paths get a 404 from the fallback. */
async function serve(issuer: TokenServer): Promise<{ server: Server; base: string }> {
  const httpServer = createServer((req, res) => {
    issuer.handle(req, res).then(
      (handled) => {
        if (!handled) res.writeHead(404).end('not the token endpoint');
      },
      (err: unknown) => res.writeHead(500).end(String(err)),
    );
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  return { server: httpServer, base: `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}` };
}

const basic = (user: string, password: string): Record<string, string> => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

function claimsOf(token: unknown): TokenClaims {
  assert.equal(typeof token, 'string');
  return verifyJwt(token as string, { keys: [signingKey.publicKey], issuer: 'test-issuer', audience: 'test-registry' }).claims;
}

async function get(query: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/token?${query}`, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function post(form: Record<string, string>, at = base): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const res = await fetch(`${at}/token`, { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

test('GET without credentials issues an anonymous token with what anonymous may do', async () => {
  const { status, headers, body } = await get('service=test-registry&scope=repository:public/x:pull,push&scope=repository:team/app:pull&offline_token=true');
  assert.equal(status, 200);
  assert.equal(headers.get('content-type'), 'application/json');
  assert.equal(headers.get('cache-control'), 'no-store');
  assert.equal(body['token'], body['access_token']);
  assert.equal(body['expires_in'], 300);
  assert.equal(body['refresh_token'], undefined, 'no refresh token without a user');
  const issuedAt = Date.parse(body['issued_at'] as string);
  assert.ok(Math.abs(issuedAt - Date.now()) < 10_000);
  const claims = claimsOf(body['token']);
  assert.equal(claims.sub, '');
  assert.deepEqual(claims.access, [
    { type: 'repository', name: 'public/x', actions: ['pull'] },
    { type: 'repository', name: 'team/app', actions: [] },
  ]);
});

test('GET with Basic credentials issues a token for the user, cut down to what is allowed', async () => {
  const { status, body } = await get('service=test-registry&scope=repository:team/app:pull,push,delete&scope=registry:catalog:*&account=alice', basic('alice', 'wonderland'));
  assert.equal(status, 200);
  const claims = claimsOf(body['token']);
  assert.equal(claims.sub, 'alice');
  assert.equal(claims.iss, 'test-issuer');
  assert.equal(claims.aud, 'test-registry');
  assert.equal(claims.exp - claims.iat!, 300);
  assert.equal(claims.nbf, claims.iat);
  assert.equal(typeof claims.jti, 'string');
  assert.deepEqual(claims.access, [
    { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
    { type: 'registry', name: 'catalog', actions: ['*'] },
  ]);
});

test('GET with wrong credentials is a 401 with a Basic challenge', async () => {
  const { status, headers, body } = await get('service=test-registry&scope=repository:team/app:pull', basic('alice', 'nope'));
  assert.equal(status, 401);
  assert.equal(headers.get('www-authenticate'), 'Basic realm="token-realm"');
  assert.deepEqual(body, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] });
  assert.equal((await get('scope=', basic('mallory', 'x'))).status, 401);
});

test('GET refuses another service, an account that is not the user, and malformed scopes', async () => {
  assert.equal((await get('service=other')).status, 400);
  const mismatch = await get('service=test-registry&account=bob', basic('alice', 'wonderland'));
  assert.equal(mismatch.status, 400);
  assert.match(JSON.stringify(mismatch.body), /account \\"bob\\" is not the user who logged in/);
  const bad = await get('scope=nonsense');
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /UNSUPPORTED/);
});

test('GET with offline_token=true hands a logged-in user a refresh token that POST redeems', async () => {
  const { body } = await get('service=test-registry&offline_token=true', basic('alice', 'wonderland'));
  assert.deepEqual(claimsOf(body['token']).access, []);
  const refresh = body['refresh_token'];
  assert.equal(typeof refresh, 'string');

  const redeemed = await post({ grant_type: 'refresh_token', refresh_token: refresh as string, service: 'test-registry', client_id: 'test', scope: 'repository:team/app:pull,push repository:other/x:pull' });
  assert.equal(redeemed.status, 200);
  assert.equal(redeemed.body['refresh_token'], refresh, 'the refresh grant returns the same refresh token');
  assert.equal(redeemed.body['scope'], 'repository:team/app:pull,push');
  const claims = claimsOf(redeemed.body['access_token']);
  assert.equal(claims.sub, 'alice');
  assert.deepEqual(claims.access, [
    { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
    { type: 'repository', name: 'other/x', actions: [] },
  ]);
});

test('POST password grant issues a token, and a refresh token only with access_type=offline', async () => {
  const online = await post({ grant_type: 'password', username: 'alice', password: 'wonderland', service: 'test-registry', client_id: 'test', scope: 'repository:team/a:pull' });
  assert.equal(online.status, 200);
  assert.equal(online.body['refresh_token'], undefined);
  assert.equal(online.body['token'], online.body['access_token']);
  assert.equal(online.body['scope'], 'repository:team/a:pull');
  assert.equal(online.body['expires_in'], 300);
  assert.equal(claimsOf(online.body['access_token']).sub, 'alice');

  const offline = await post({ grant_type: 'password', username: 'alice', password: 'wonderland', service: 'test-registry', client_id: 'test', access_type: 'offline' });
  assert.equal(typeof offline.body['refresh_token'], 'string');
  assert.equal(offline.body['scope'], '');
});

test('POST with wrong credentials or a bad refresh token is a 401; other grants a 400', async () => {
  const wrong = await post({ grant_type: 'password', username: 'alice', password: 'x', service: 'test-registry', client_id: 't' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('www-authenticate'), 'Basic realm="token-realm"');
  assert.equal((await post({ grant_type: 'refresh_token', refresh_token: 'garbage', client_id: 't' })).status, 401);
  const access = (await post({ grant_type: 'password', username: 'alice', password: 'wonderland', client_id: 't' })).body['access_token'];
  assert.equal((await post({ grant_type: 'refresh_token', refresh_token: access as string, client_id: 't' })).status, 401, 'an access token is not a refresh token');
  assert.equal((await post({ grant_type: 'client_credentials', client_id: 't' })).status, 400);
  assert.equal((await post({ grant_type: 'password', username: 'alice', client_id: 't' })).status, 400);
});

test('a refresh token dies with its user', async (t) => {
  const users = new Map(config.users);
  const issuer = await createTokenServer({ config: { ...config, users }, service: 'test-registry', issuer: 'test-issuer', signingKey });
  const refresh = (await post({ grant_type: 'password', username: 'bob', password: 'builder', client_id: 't', access_type: 'offline' })).body['refresh_token'] as string;
  const local = await serve(issuer);
  t.after(() => local.server.close());
  const redeem = async (): Promise<number> => (await post({ grant_type: 'refresh_token', refresh_token: refresh, client_id: 't' }, local.base)).status;
  assert.equal(await redeem(), 200);
  users.delete('bob');
  assert.equal(await redeem(), 401);
});

test('other paths are left to the caller and other methods are refused', async () => {
  const other = await fetch(`${base}/v2/`);
  assert.equal(other.status, 404);
  assert.equal(await other.text(), 'not the token endpoint');
  const put = await fetch(`${base}/token`, { method: 'PUT', body: 'x' });
  assert.equal(put.status, 405);
  assert.equal(put.headers.get('allow'), 'GET, POST');
});

test('an oversized POST body is refused, whether its length is declared or not', async () => {
  const text = `grant_type=password&x=${'a'.repeat(70_000)}`;
  const declared = await fetch(`${base}/token`, { method: 'POST', body: text });
  assert.equal(declared.status, 413);
  const chunks = [text.slice(0, 40_000), text.slice(40_000)];
  const body = new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(new TextEncoder().encode(next));
    },
  });
  const chunked = await fetch(`${base}/token`, { method: 'POST', body, duplex: 'half' } as RequestInit);
  assert.equal(chunked.status, 413);
});

test('issue() signs without HTTP; the lifetime option is honoured and at least 60 s', async () => {
  const short = await createTokenServer({ config, service: 'svc', signingKey, lifetimeSeconds: 60 });
  const issued = short.issue('alice', [parseScope('repository:team/x:push')]);
  assert.equal(issued.expiresIn, 60);
  const claims = verifyJwt(issued.token, { keys: [signingKey.publicKey], issuer: 'containerregistry', audience: 'svc' }).claims;
  assert.equal(claims.exp - claims.iat!, 60);
  assert.deepEqual(claims.access, [{ type: 'repository', name: 'team/x', actions: ['push'] }]);
  await assert.rejects(createTokenServer({ config, service: 'svc', signingKey, lifetimeSeconds: 30 }), (err: Error) => hasCode(err, 'ERR_INVALID_ARGUMENT'));
});
