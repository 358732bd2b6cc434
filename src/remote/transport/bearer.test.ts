// Bearer tokens end to end against a fake registry and token server: the exchange, token reuse,
// scope accumulation, OAuth2 identity tokens with the GET fallback, refresh tokens, expiring
// tokens, and tokens for another host after a redirect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basic, bearer, fromConfig } from '../../authn/authenticator.ts';
import { Registry } from '../../name/registry.ts';
import { TransportError } from './errors.ts';
import { newTransport } from './transport.ts';
import { basicHeader, FAST_RETRY, json, loopbackAgent, startServer, text } from './servers.test-fixtures.ts';
import { startFakeRegistry } from './token-registry.test-fixtures.ts';

const opts = { retry: FAST_RETRY, certsDirs: [] };

test('the token exchange sends every scope, the service and Basic credentials; the token is reused', async () => {
  const reg = await startFakeRegistry({ users: { alice: 'wonderland' } });
  try {
    const t = await newTransport(new Registry(reg.host), ['repository:team/app:pull,push', 'repository:base/img:pull'], {
      ...opts,
      authenticator: basic('alice', 'wonderland'),
    });
    assert.equal(reg.tokenRequests.length, 1, 'the first token is fetched by newTransport');
    const tokenReq = new URL(reg.tokenRequests[0]!.url, reg.url);
    assert.deepEqual(tokenReq.searchParams.getAll('scope'), ['repository:team/app:pull,push', 'repository:base/img:pull']);
    assert.equal(tokenReq.searchParams.get('service'), 'fake');
    assert.equal(reg.tokenRequests[0]!.headers.authorization, basicHeader('alice', 'wonderland'));
    for (let i = 0; i < 3; i++) {
      const res = await t.request({ method: 'GET', url: '/v2/team/app/tags/list' });
      assert.equal(res.status, 200);
      await text(res.body);
    }
    const up = await t.request({ method: 'POST', url: '/v2/team/app/blobs/uploads/', expect: [200] });
    await text(up.body);
    assert.equal(reg.tokenRequests.length, 1, 'one token served every request');
    assert.deepEqual(new Set(reg.registryRequests.slice(-4).map((r) => r.headers.authorization)), new Set(['Bearer tok-1']));
  } finally {
    await reg.close();
  }
});

test('wrong credentials fail in newTransport with the token server\'s diagnostics and no password', async () => {
  const reg = await startFakeRegistry({ users: { alice: 'wonderland' } });
  try {
    await assert.rejects(newTransport(new Registry(reg.host), ['repository:a:pull'], { ...opts, authenticator: basic('alice', 'hunter2') }), (err: unknown) => {
      assert.ok(err instanceof TransportError);
      assert.equal(err.status, 401);
      assert.equal(err.diagnostics[0]?.code, 'UNAUTHORIZED');
      assert.match(err.message, /^GET http:\/\/127\.0\.0\.1:\d+\/token\?scope=repository%3Aa%3Apull&service=fake: UNAUTHORIZED: wrong credentials$/);
      assert.doesNotMatch(err.message, /hunter2/);
      return true;
    });
  } finally {
    await reg.close();
  }
});

test('insufficient_scope: the challenge\'s scope goes first, a new token is fetched, the request replayed once', async () => {
  const reg = await startFakeRegistry({ users: { alice: 'wonderland' } });
  try {
    const t = await newTransport(new Registry(reg.host), ['repository:team/app:pull'], { ...opts, authenticator: basic('alice', 'wonderland') });
    const res = await t.request({ method: 'PUT', url: '/v2/team/app/manifests/v1', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 200);
    await text(res.body);
    assert.equal(reg.tokenRequests.length, 2);
    assert.deepEqual(new URL(reg.tokenRequests[1]!.url, reg.url).searchParams.getAll('scope'), ['repository:team/app:pull,push', 'repository:team/app:pull']);
    const puts = reg.registryRequests.filter((r) => r.method === 'PUT');
    assert.equal(puts.length, 2, 'refused once, replayed once');
    assert.equal(puts[1]!.body, '{}', 'the body was sent again');
    // A scope the server will not grant: one replay, then the registry's error.
    const anon = await newTransport(new Registry(reg.host), ['repository:x:pull'], opts);
    await assert.rejects(anon.request({ method: 'POST', url: '/v2/x/blobs/uploads/' }), (err: unknown) => {
      assert.ok(err instanceof TransportError);
      assert.equal(err.status, 401);
      assert.equal(err.diagnostics[0]?.code, 'DENIED');
      return true;
    });
  } finally {
    await reg.close();
  }
});

test('addScopes: the next request gets a token covering the added scopes, after the first ones', async () => {
  const reg = await startFakeRegistry({ users: { u: 'p' } });
  try {
    const t = await newTransport(new Registry(reg.host), ['repository:dst:pull,push'], { ...opts, authenticator: basic('u', 'p') });
    t.addScopes(['repository:src:pull']);
    const res = await t.request({ method: 'GET', url: '/v2/src/blobs/sha256:00' });
    await text(res.body);
    assert.equal(reg.tokenRequests.length, 2);
    assert.deepEqual(new URL(reg.tokenRequests[1]!.url, reg.url).searchParams.getAll('scope'), ['repository:dst:pull,push', 'repository:src:pull']);
    assert.equal(reg.registryRequests.filter((r) => r.url.startsWith('/v2/src/')).length, 1, 'no 401 round trip was needed');
  } finally {
    await reg.close();
  }
});

test('concurrent requests refused for an expired token share one new token', async () => {
  const reg = await startFakeRegistry({});
  try {
    const t = await newTransport(new Registry(reg.host), ['repository:a:pull'], opts);
    reg.revokeAll();
    const results = await Promise.all(Array.from({ length: 6 }, () => t.request({ method: 'GET', url: '/v2/a/tags/list' })));
    await Promise.all(results.map((r) => text(r.body)));
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(reg.tokenRequests.length, 2, 'one initial token and one refresh for all six');
  } finally {
    await reg.close();
  }
});

test('identity token: OAuth2 POST with the refresh token, and the returned refresh token used next', async () => {
  const reg = await startFakeRegistry({ identityTokens: { 'id-token-1': 'alice' } });
  try {
    const t = await newTransport(new Registry(reg.host), ['repository:a:pull'], { ...opts, authenticator: fromConfig({ identityToken: 'id-token-1' }) });
    const first = reg.tokenRequests[0]!;
    assert.equal(first.method, 'POST');
    assert.equal(first.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(first.headers.authorization, undefined);
    const form = new URLSearchParams(first.body);
    assert.equal(form.get('grant_type'), 'refresh_token');
    assert.equal(form.get('refresh_token'), 'id-token-1');
    assert.equal(form.get('client_id'), 'containerregistry');
    assert.equal(form.get('service'), 'fake');
    assert.equal(form.get('scope'), 'repository:a:pull');
    // A push needs a new token: it is asked for with the rotated refresh token.
    const res = await t.request({ method: 'POST', url: '/v2/a/blobs/uploads/' });
    await text(res.body);
    const second = new URLSearchParams(reg.tokenRequests[1]!.body);
    assert.equal(second.get('refresh_token'), 'refresh-1', 'the token the first answer handed back');
    assert.equal(second.get('scope'), 'repository:a:pull,push repository:a:pull');
  } finally {
    await reg.close();
  }
});

test('identity token against a server without OAuth2: POST 404, then the GET', async () => {
  const reg = await startFakeRegistry({ noOAuth: true, accessTokenField: true });
  try {
    const t = await newTransport(new Registry(reg.host), ['repository:a:pull'], { ...opts, authenticator: fromConfig({ identityToken: 'x' }) });
    assert.deepEqual(reg.tokenRequests.map((r) => r.method), ['POST', 'GET']);
    assert.equal(reg.tokenRequests[1]!.headers.authorization, undefined, 'an identity token is never sent as Basic');
    const res = await t.request({ method: 'GET', url: '/v2/a/tags/list' });
    assert.equal(res.status, 200, 'the access_token answer works too');
    await text(res.body);
  } finally {
    await reg.close();
  }
});

test('a registry token is used as the bearer token without any exchange', async () => {
  const reg = await startFakeRegistry({});
  try {
    reg.issued.set('given', { scopes: ['repository:a:pull'], user: undefined, expiresAt: undefined });
    const t = await newTransport(new Registry(reg.host), ['repository:a:pull'], { ...opts, authenticator: bearer('given') });
    const res = await t.request({ method: 'GET', url: '/v2/a/tags/list' });
    await text(res.body);
    assert.equal(res.status, 200);
    assert.equal(reg.tokenRequests.length, 0);
    assert.equal(reg.registryRequests.at(-1)?.headers.authorization, 'Bearer given');
  } finally {
    await reg.close();
  }
});

test('a token about to expire is renewed before use, so no request is refused (even without a challenge)', async () => {
  const reg = await startFakeRegistry({ expiresIn: 1, challengeExpired: false });
  try {
    const t = await newTransport(new Registry(reg.host), ['repository:a:pull'], opts);
    await text((await t.request({ method: 'GET', url: '/v2/a/tags/list' })).body);
    await new Promise((r) => setTimeout(r, 800));
    const res = await t.request({ method: 'GET', url: '/v2/a/tags/list' });
    await text(res.body);
    assert.equal(res.status, 200);
    assert.equal(reg.tokenRequests.length, 2, 'renewed after three quarters of its life');
    assert.equal(reg.registryRequests.filter((r) => r.url !== '/v2/').length, 2, 'no request was refused');
  } finally {
    await reg.close();
  }
});

test('an expired token refused with a challenge is renewed and the request replayed', async () => {
  const reg = await startFakeRegistry({ expiresIn: 1 });
  try {
    const t = await newTransport(new Registry(reg.host), ['repository:a:pull'], opts);
    for (const grant of reg.issued.values()) grant.expiresAt = Date.now() - 1;
    const res = await t.request({ method: 'GET', url: '/v2/a/tags/list' });
    await text(res.body);
    assert.equal(res.status, 200);
    assert.equal(reg.tokenRequests.length, 2);
  } finally {
    await reg.close();
  }
});

test('a 401 from another host after a redirect gets an anonymous token of its own; ours never crosses', async () => {
  const dispatcher = await loopbackAgent();
  const blobs = await startServer((req, res) => {
    if (req.url?.startsWith('/token')) return json(res, 200, { token: 'blob-token' });
    if (req.headers.authorization !== 'Bearer blob-token') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://blobs.test:${blobs.port}/token",service="blobs",scope="blob:read"` });
      return res.end();
    }
    res.end('blob bytes');
  });
  const reg = await startFakeRegistry({
    users: { alice: 'wonderland' },
    route: (req, res) => {
      if (!req.url?.startsWith('/v2/a/blobs/')) return false;
      res.writeHead(307, { location: `http://blobs.test:${blobs.port}/data/1` });
      res.end();
      return true;
    },
  });
  try {
    const t = await newTransport(new Registry(reg.host), ['repository:a:pull'], { ...opts, dispatcher, authenticator: basic('alice', 'wonderland') });
    const res = await t.request({ method: 'GET', url: '/v2/a/blobs/sha256:1' });
    assert.equal(await text(res.body), 'blob bytes');
    assert.equal(res.url, `http://blobs.test:${blobs.port}/data/1`);
    const tokenCall = blobs.seen.find((s) => s.url.startsWith('/token'))!;
    assert.equal(tokenCall.headers.authorization, undefined, 'anonymous exchange');
    assert.deepEqual(new URL(tokenCall.url, blobs.url).searchParams.getAll('scope'), ['blob:read']);
    assert.equal(new URL(tokenCall.url, blobs.url).searchParams.get('service'), 'blobs');
    for (const s of blobs.seen) assert.ok(!String(s.headers.authorization ?? '').includes('tok-'), 'the registry token stayed home');
    assert.equal(reg.tokenRequests.length, 1, "the registry's token state was not touched");
    // A second blob from the same host reuses its token: no second 401, no second exchange.
    const before = blobs.seen.length;
    const again = await t.request({ method: 'GET', url: '/v2/a/blobs/sha256:2' });
    assert.equal(await text(again.body), 'blob bytes');
    assert.deepEqual(blobs.seen.slice(before).map((s) => s.url), ['/data/1']);
    assert.equal(blobs.seen.filter((s) => s.url.startsWith('/token')).length, 1);
  } finally {
    await reg.close();
    await blobs.close();
  }
});

test('a realm on another host gets the credentials; a token-server redirect to a third host does not', async () => {
  const dispatcher = await loopbackAgent();
  const third = await startServer((_req, res) => json(res, 200, { token: 'from-third' }));
  const auth = await startServer((_req, res) => {
    res.writeHead(302, { location: `http://third.test:${third.port}/issue` });
    res.end();
  });
  const reg = await startFakeRegistry({ realm: () => `http://auth.test:${auth.port}/token` });
  try {
    await newTransport(new Registry(reg.host), ['repository:a:pull'], { ...opts, dispatcher, authenticator: basic('alice', 'pw') });
    assert.equal(auth.seen[0]!.headers.authorization, basicHeader('alice', 'pw'));
    assert.equal(third.seen.length, 1);
    assert.equal(third.seen[0]!.headers.authorization, undefined);
    assert.match(third.seen[0]!.url, /^\/issue/);
  } finally {
    await Promise.all([reg.close(), auth.close(), third.close()]);
  }
});
