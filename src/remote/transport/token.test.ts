// Token-server redirects go through the transport's redirect loop: the same hop limit, targets
// re-validated as realms, and Basic credentials that never follow a hop off the realm's host,
// not even one that comes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basic } from '../../authn/authenticator.ts';
import { Registry } from '../../name/registry.ts';
import { AuthChallengeError, RequestFailedError } from './errors.ts';
import { newTransport } from './transport.ts';
import { basicHeader, FAST_RETRY, json, loopbackAgent, startServer } from './servers.test-fixtures.ts';
import { startFakeRegistry } from './token-registry.test-fixtures.ts';

const opts = { retry: FAST_RETRY, certsDirs: [] };

test('a token server redirecting in a loop is given up after 10 redirects', async () => {
  const dispatcher = await loopbackAgent();
  const auth = await startServer((req, res) => {
    const n = Number(/\d+$/.exec(req.url?.split('?')[0] ?? '')?.[0] ?? 0);
    res.writeHead(302, { location: `/token/${n + 1}` });
    res.end();
  });
  const reg = await startFakeRegistry({ realm: () => `http://auth.test:${auth.port}/token/0` });
  try {
    await assert.rejects(newTransport(new Registry(reg.host), ['repository:a:pull'], { ...opts, dispatcher }), (err: unknown) => {
      assert.ok(err instanceof RequestFailedError, String(err));
      assert.match(err.message, /stopped after 10 redirects/);
      return true;
    });
    assert.equal(auth.seen.length, 11);
  } finally {
    await Promise.all([reg.close(), auth.close()]);
  }
});

test('a token-server redirect to a private address of another host is refused unsent', async () => {
  const dispatcher = await loopbackAgent();
  const auth = await startServer((_req, res) => {
    res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/' });
    res.end();
  });
  const reg = await startFakeRegistry({ realm: () => `http://auth.test:${auth.port}/token` });
  try {
    await assert.rejects(newTransport(new Registry(reg.host), ['repository:a:pull'], { ...opts, dispatcher }), (err: unknown) => {
      assert.ok(err instanceof AuthChallengeError, String(err));
      assert.match(err.message, /refusing token-server redirect from http:\/\/auth\.test:\d+\/token.*loopback, private, link-local or unspecified/);
      return true;
    });
  } finally {
    await Promise.all([reg.close(), auth.close()]);
  }
});

test('Basic credentials dropped on a hop to another host are not sent again when a redirect comes back', async () => {
  const dispatcher = await loopbackAgent();
  let auth!: Awaited<ReturnType<typeof startServer>>;
  const third = await startServer((_req, res) => {
    res.writeHead(302, { location: `http://auth.test:${auth.port}/issue` });
    res.end();
  });
  auth = await startServer((req, res) => {
    if (req.url?.startsWith('/issue')) return json(res, 200, { token: 'anonymous-looking' });
    res.writeHead(302, { location: `http://third.test:${third.port}/hop` });
    res.end();
  });
  const reg = await startFakeRegistry({ realm: () => `http://auth.test:${auth.port}/token` });
  try {
    await newTransport(new Registry(reg.host), ['repository:a:pull'], { ...opts, dispatcher, authenticator: basic('alice', 'pw') });
    assert.deepEqual(
      [auth.seen[0], third.seen[0], auth.seen[1]].map((s) => [s?.url.split('?')[0], s?.headers.authorization]),
      [
        ['/token', basicHeader('alice', 'pw')],
        ['/hop', undefined],
        ['/issue', undefined],
      ],
    );
  } finally {
    await Promise.all([reg.close(), auth.close(), third.close()]);
  }
});
