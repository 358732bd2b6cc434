// Retries against servers that fail on purpose: 5xx and 429 with and without Retry-After, dropped
// connections, and bodies that can or cannot be sent again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { Registry } from '../../name/registry.ts';
import { TransportError, RequestFailedError } from './errors.ts';
import { newTransport, type Transport } from './transport.ts';
import { FAST_RETRY, json, startServer, text, type Handler, type TestServer } from './servers.test-fixtures.ts';

/** A registry whose `/v2/` is open and whose other requests `failures` answer first, in turn. */
async function flaky(failures: Handler[], then: Handler = (_req, res) => res.end('ok')): Promise<{ srv: TestServer; t: Transport; attempts: () => number }> {
  let n = 0;
  const srv = await startServer((req, res) => {
    if (req.url === '/v2/') return res.end();
    const f = failures[n++];
    return f ? f(req, res) : then(req, res);
  });
  const t = await newTransport(new Registry(srv.host), [], { retry: FAST_RETRY, certsDirs: [] });
  return { srv, t, attempts: () => n };
}

const status = (code: number, headers: Record<string, string> = {}): Handler => (_req, res) => {
  res.writeHead(code, headers);
  res.end();
};

test('5xx and 429 are retried and the request then succeeds', async () => {
  const { srv, t, attempts } = await flaky([status(503), status(429)]);
  try {
    const res = await t.request({ method: 'GET', url: '/v2/a/tags/list' });
    assert.equal(await text(res.body), 'ok');
    assert.equal(attempts(), 3);
  } finally {
    await srv.close();
  }
});

test('when every attempt fails, the last answer is the error, with its diagnostics', async () => {
  const unavailable: Handler = (_req, res) => json(res, 503, { errors: [{ code: 'UNAVAILABLE', message: 'down for maintenance' }] });
  const { srv, t, attempts } = await flaky([unavailable, unavailable, unavailable, unavailable]);
  try {
    await assert.rejects(t.request({ method: 'GET', url: '/v2/a/tags/list' }), (err: unknown) => {
      assert.ok(err instanceof TransportError);
      assert.equal(err.status, 503);
      assert.equal(err.diagnostics[0]?.message, 'down for maintenance');
      assert.equal(err.temporary, true);
      return true;
    });
    assert.equal(attempts(), 3);
  } finally {
    await srv.close();
  }
});

test('Retry-After is honoured; without it the backoff applies', async () => {
  const { srv, t } = await flaky([status(429, { 'retry-after': '1' })]);
  try {
    const started = performance.now();
    await text((await t.request({ method: 'GET', url: '/v2/a' })).body);
    const waited = performance.now() - started;
    assert.ok(waited >= 950, `waited ${waited} ms`);
  } finally {
    await srv.close();
  }
  const quick = await flaky([status(502), status(504)]);
  try {
    const started = performance.now();
    await text((await quick.t.request({ method: 'GET', url: '/v2/a' })).body);
    assert.ok(performance.now() - started < 500);
  } finally {
    await quick.srv.close();
  }
});

test('retry: false sends once; statuses the caller expects are not retried', async () => {
  const { srv, t, attempts } = await flaky([status(503), status(503)]);
  try {
    await assert.rejects(t.request({ method: 'GET', url: '/v2/a', retry: false }), (err: unknown) => err instanceof TransportError && err.status === 503);
    assert.equal(attempts(), 1);
    const res = await t.request({ method: 'GET', url: '/v2/a', expect: [200, 503] });
    assert.equal(res.status, 503);
    await text(res.body);
    assert.equal(attempts(), 2);
  } finally {
    await srv.close();
  }
});

test('a dropped connection is retried', async () => {
  const drop: Handler = (req) => req.socket.destroy();
  // Each of the 3 attempts reaches the server once, except that a GET sent on a kept-alive
  // connection that closes before any answer is sent again at once on a fresh one (as Go's
  // transport does): the ping's connection makes the first attempt reach it twice.
  const { srv, t, attempts } = await flaky([drop, drop, drop]);
  try {
    const res = await t.request({ method: 'GET', url: '/v2/a' });
    assert.equal(await text(res.body), 'ok');
    assert.equal(attempts(), 4);
  } finally {
    await srv.close();
  }
  const always = await flaky([], drop);
  try {
    await assert.rejects(always.t.request({ method: 'GET', url: '/v2/a' }), (err: unknown) => {
      assert.ok(err instanceof RequestFailedError);
      assert.match(err.message, new RegExp(`^GET http://${always.srv.host}/v2/a: .*connection closed before the answer was whole`));
      return true;
    });
    assert.equal(always.attempts(), 4);
  } finally {
    await always.srv.close();
  }
});

test('a body function is re-opened for each attempt; a one-shot stream is never retried', async () => {
  const { srv, t, attempts } = await flaky([status(500), status(500)], (req, res) => res.end(`got ${req.body}`));
  try {
    let opened = 0;
    const res = await t.request({
      method: 'PATCH',
      url: '/v2/a/blobs/uploads/1',
      body: () => {
        opened++;
        return Readable.from([Buffer.from('chunk-'), Buffer.from(String(opened))]);
      },
    });
    assert.equal(await text(res.body), 'got chunk-3');
    assert.equal(opened, 3);
    assert.deepEqual(srv.seen.slice(-3).map((s) => s.body), ['chunk-1', 'chunk-2', 'chunk-3']);
  } finally {
    await srv.close();
  }
  const once = await flaky([status(500)]);
  try {
    await assert.rejects(once.t.request({ method: 'PATCH', url: '/v2/a', body: Readable.from([Buffer.from('x')]) }), (err: unknown) => err instanceof TransportError && err.status === 500);
    assert.equal(once.attempts(), 1);
  } finally {
    await once.srv.close();
  }
  assert.equal(attempts(), 3);
});

test('an abort stops a pending retry sleep', async () => {
  const srv = await startServer((req, res) => {
    if (req.url === '/v2/') return res.end();
    res.writeHead(503, { 'retry-after': '30' });
    res.end();
  });
  try {
    const t = await newTransport(new Registry(srv.host), [], { retry: FAST_RETRY, certsDirs: [] });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user gave up')), 100);
    const started = performance.now();
    await assert.rejects(t.request({ method: 'GET', url: '/v2/a', signal: controller.signal }), /user gave up/);
    assert.ok(performance.now() - started < 2000);
  } finally {
    await srv.close();
  }
});

test('a body stream opened for an attempt that never connected is closed', async () => {
  const srv = await startServer((_req, res) => res.end());
  const t = await newTransport(new Registry(srv.host), [], { retry: FAST_RETRY, certsDirs: [] });
  await srv.close();
  const opened: Readable[] = [];
  await assert.rejects(
    t.request({
      method: 'PATCH',
      url: '/v2/a/blobs/uploads/1',
      body: () => {
        // Stands for a file stream, which would hold its descriptor until closed.
        const s = new Readable({ read() { this.push(Buffer.alloc(1024)); } });
        opened.push(s);
        return s;
      },
    }),
    /ECONNREFUSED/,
  );
  assert.equal(opened.length, 1, 'a refused connection is not retried');
  assert.equal(opened[0]!.destroyed, true);
});
