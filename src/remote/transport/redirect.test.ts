// Basic credentials, redirects and the SSRF guards through a real transport: credentials reach
// the registry host only, redirects to other hosts lose them, refused targets are never contacted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { basic } from '../../authn/authenticator.ts';
import { Registry } from '../../name/registry.ts';
import { RequestFailedError, UnsafeURLError } from './errors.ts';
import { newTransport } from './transport.ts';
import { basicHeader, FAST_RETRY, loopbackAgent, startServer, text, type Handler } from './servers.test-fixtures.ts';

const opts = { retry: FAST_RETRY, certsDirs: [] };

/** A registry with a Basic challenge whose other routes `route` answers. */
async function basicRegistry(route: Handler) {
  return startServer((req, res) => {
    if (req.headers.authorization !== basicHeader('bob', 'builder')) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' });
      return res.end();
    }
    if (req.url === '/v2/') return res.end('{}');
    return route(req, res);
  });
}

test('Basic credentials go to the registry; a redirect to another host drops them', async () => {
  const dispatcher = await loopbackAgent();
  const cdn = await startServer((_req, res) => res.end('from the cdn'));
  const reg = await basicRegistry((req, res) => {
    res.writeHead(307, { location: `http://cdn.test:${cdn.port}/blob${req.url?.slice(-3)}?sig=1` });
    res.end();
  });
  try {
    const t = await newTransport(new Registry(reg.host), [], { ...opts, dispatcher, authenticator: basic('bob', 'builder') });
    const res = await t.request({ method: 'GET', url: '/v2/a/blobs/abc', headers: { Accept: '*/*' } });
    assert.equal(await text(res.body), 'from the cdn');
    assert.equal(reg.seen.at(-1)!.headers.authorization, basicHeader('bob', 'builder'));
    assert.equal(cdn.seen[0]!.headers.authorization, undefined);
    assert.equal(cdn.seen[0]!.headers.accept, '*/*', 'other headers follow');
    assert.equal(cdn.seen[0]!.url, '/blobabc?sig=1');
    assert.match(String(cdn.seen[0]!.headers['user-agent']), /^containerregistry\//);
  } finally {
    await Promise.all([reg.close(), cdn.close()]);
  }
});

test('a registry that lets the ping through but challenges a repository gets the credentials then', async () => {
  const reg = await startServer((req, res) => {
    if (req.url === '/v2/') return res.end();
    if (req.headers.authorization !== basicHeader('bob', 'builder')) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="private"' });
      return res.end();
    }
    res.end('secret things');
  });
  try {
    const t = await newTransport(new Registry(reg.host), [], { ...opts, authenticator: basic('bob', 'builder') });
    assert.equal(reg.seen[0]!.headers.authorization, undefined, 'an open registry gets no credentials (ggcr)');
    const res = await t.request({ method: 'GET', url: '/v2/private/tags/list' });
    assert.equal(await text(res.body), 'secret things');
    const again = await t.request({ method: 'GET', url: '/v2/private/tags/list' });
    await text(again.body);
    assert.deepEqual(reg.seen.slice(1).map((s) => s.headers.authorization), [undefined, basicHeader('bob', 'builder'), basicHeader('bob', 'builder')]);
  } finally {
    await reg.close();
  }
});

test('redirects to private addresses of other hosts are refused without contacting them', async () => {
  for (const target of ['http://10.255.255.1/x', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:9/', 'http://0.0.0.0:9/']) {
    const reg = await startServer((req, res) => {
      if (req.url === '/v2/') return res.end();
      res.writeHead(302, { location: target });
      res.end();
    });
    try {
      const t = await newTransport(new Registry(reg.host), [], opts);
      await assert.rejects(t.request({ method: 'GET', url: '/v2/a/blobs/x' }), (err: unknown) => {
        assert.ok(err instanceof UnsafeURLError, String(err));
        assert.match(err.message, /loopback, private, link-local or unspecified/);
        return true;
      });
    } finally {
      await reg.close();
    }
  }
});

test('the registry may redirect to another port of its own loopback host', async () => {
  const other = await startServer((_req, res) => res.end('other port'));
  const reg = await startServer((req, res) => {
    if (req.url === '/v2/') return res.end();
    res.writeHead(301, { location: `http://127.0.0.1:${other.port}/x` });
    res.end();
  });
  try {
    const t = await newTransport(new Registry(reg.host), [], opts);
    const res = await t.request({ method: 'GET', url: '/v2/a' });
    assert.equal(await text(res.body), 'other port');
  } finally {
    await Promise.all([reg.close(), other.close()]);
  }
});

test('followRedirects: false returns the redirect; loops stop after 10 hops', async () => {
  const reg = await startServer((req, res) => {
    if (req.url === '/v2/') return res.end();
    const n = Number(/\d+$/.exec(req.url ?? '')?.[0] ?? 0);
    res.writeHead(302, { location: `/v2/loop/${n + 1}` });
    res.end();
  });
  try {
    const t = await newTransport(new Registry(reg.host), [], opts);
    const res = await t.request({ method: 'GET', url: '/v2/loop/0', followRedirects: false, expect: [302] });
    assert.equal(res.headers['location'], '/v2/loop/1');
    await text(res.body);
    const before = reg.seen.length;
    await assert.rejects(t.request({ method: 'GET', url: '/v2/loop/0' }), (err: unknown) => {
      assert.ok(err instanceof RequestFailedError);
      assert.match(err.message, /stopped after 10 redirects/);
      return true;
    });
    assert.equal(reg.seen.length - before, 11);
  } finally {
    await reg.close();
  }
});

test('303 turns a POST into a bodiless GET; 307 resends the body, re-opened', async () => {
  const reg = await startServer((req, res) => {
    if (req.url === '/v2/') return res.end();
    if (req.url === '/v2/see-other') {
      res.writeHead(303, { location: '/v2/landing' });
      return res.end();
    }
    if (req.url === '/v2/temporary') {
      res.writeHead(307, { location: '/v2/landing' });
      return res.end();
    }
    res.end(`${req.method} ${req.body}`);
  });
  try {
    const t = await newTransport(new Registry(reg.host), [], opts);
    const seeOther = await t.request({ method: 'POST', url: '/v2/see-other', body: 'payload', headers: { 'content-type': 'text/plain' } });
    assert.equal(await text(seeOther.body), 'GET ');
    assert.equal(reg.seen.at(-1)!.headers['content-type'], undefined);
    let opened = 0;
    const temporary = await t.request({
      method: 'PUT',
      url: '/v2/temporary',
      body: () => {
        opened++;
        return Readable.from([Buffer.from('streamed')]);
      },
    });
    assert.equal(await text(temporary.body), 'PUT streamed');
    assert.equal(opened, 2);
    // A one-shot stream cannot follow a 307: the redirect is the answer.
    await assert.rejects(t.request({ method: 'PUT', url: '/v2/temporary', body: Readable.from([Buffer.from('once')]) }), /unexpected status code 307/);
  } finally {
    await reg.close();
  }
});
