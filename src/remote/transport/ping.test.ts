// The ping against loopback servers: which scheme wins the https/http race, insecure registries,
// and what a broken or unusable challenge turns into.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import { Registry } from '../../name/registry.ts';
import { AuthChallengeError, PingError, RequestFailedError, TransportError } from './errors.ts';
import { newTransport } from './transport.ts';
import { FAST_RETRY, loopbackAgent, serverCertificate, startServer, type TestServer } from './servers.test-fixtures.ts';

let plain: TestServer;
before(async () => {
  plain = await startServer((_req, res) => res.end('{}'));
});
after(() => plain.close());

test('a local registry (127.0.0.1) tries https first, then settles on http', async () => {
  const t = await newTransport(new Registry(plain.host), [], { retry: FAST_RETRY });
  assert.equal(t.scheme, 'http');
  assert.equal(t.url('/v2/x'), `http://${plain.host}/v2/x`);
  assert.equal(plain.seen.at(-1)?.url, '/v2/');
});

test('an https registry on 127.0.0.1 wins the race over https', async () => {
  const cert = await serverCertificate();
  const secure = await startServer((_req, res) => res.end(), { tls: { key: cert.keyPem, cert: cert.certPem } });
  try {
    const t = await newTransport(new Registry(secure.host), [], { tls: { ca: [cert.certPem] }, certsDirs: [], retry: FAST_RETRY });
    assert.equal(t.scheme, 'https');
    // Without trusting the certificate https fails and so does http against a TLS port: both reported.
    await assert.rejects(newTransport(new Registry(secure.host), [], { certsDirs: [], retry: FAST_RETRY }), (err: unknown) => {
      assert.ok(err instanceof PingError);
      assert.match(err.message, new RegExp(`GET https://${secure.host}/v2/: .*certificate`));
      assert.match(err.message, new RegExp(`; GET http://${secure.host}/v2/: `));
      assert.equal(err.errors.length, 2);
      return true;
    });
    // --insecure skips verification.
    assert.equal((await newTransport(new Registry(secure.host), [], { insecure: true, certsDirs: [], retry: FAST_RETRY })).scheme, 'https');
  } finally {
    await secure.close();
  }
});

test('a public-looking registry is only tried over https unless insecure', async () => {
  const dispatcher = await loopbackAgent();
  const name = `registry.test:${plain.port}`;
  const before = plain.seen.length;
  await assert.rejects(newTransport(new Registry(name), [], { dispatcher, retry: FAST_RETRY }), (err: unknown) => {
    assert.ok(err instanceof RequestFailedError);
    assert.match(err.message, new RegExp(`^GET https://registry.test:${plain.port}/v2/: `));
    return true;
  });
  assert.equal(plain.seen.length, before, 'no http request was made');
  const t = await newTransport(new Registry(name), [], { dispatcher, insecure: true, retry: FAST_RETRY });
  assert.equal(t.scheme, 'http');
  // The name option works as well as the transport option.
  assert.equal((await newTransport(new Registry(name, { insecure: true }), [], { dispatcher, retry: FAST_RETRY })).scheme, 'http');
});

test('http joins the race after 300 ms when https hangs', async () => {
  // One port that swallows TLS handshakes and serves plain HTTP.
  const http = createHttpServer((_req, res) => res.end());
  const hung: Socket[] = [];
  const served: Socket[] = [];
  const mux: NetServer = createNetServer((socket) => {
    socket.once('data', (first) => {
      if (first[0] === 0x16) {
        hung.push(socket);
        return;
      }
      socket.unshift(first);
      served.push(socket);
      http.emit('connection', socket);
    });
  });
  await new Promise<void>((resolve) => mux.listen(0, '127.0.0.1', resolve));
  try {
    const host = `127.0.0.1:${(mux.address() as AddressInfo).port}`;
    const started = performance.now();
    const t = await newTransport(new Registry(host), [], { retry: FAST_RETRY });
    const elapsed = performance.now() - started;
    assert.equal(t.scheme, 'http');
    assert.ok(elapsed >= 280, `http won after ${elapsed} ms`);
    assert.ok(elapsed < 2000, `http won after ${elapsed} ms`);
    assert.equal(hung.length, 1, 'https was tried first');
  } finally {
    for (const s of [...hung, ...served]) s.destroy();
    mux.close();
    http.close();
  }
});

test('a closed port fails over both schemes, each error named', async () => {
  const gone = await startServer((_req, res) => res.end());
  await gone.close();
  await assert.rejects(newTransport(new Registry(gone.host), [], { retry: FAST_RETRY }), (err: unknown) => {
    assert.ok(err instanceof PingError);
    assert.match(err.message, new RegExp(`GET https://${gone.host}/v2/: .*ECONNREFUSED.*; GET http://${gone.host}/v2/: .*ECONNREFUSED`));
    return true;
  });
});

test('a ping answered with neither 200 nor 401 is a TransportError with diagnostics', async () => {
  const dispatcher = await loopbackAgent();
  const odd = await startServer((_req, res) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'go away' }] }));
  });
  try {
    await assert.rejects(newTransport(new Registry(`odd.test:${odd.port}`), [], { dispatcher, insecure: true, retry: FAST_RETRY }), (err: unknown) => {
      // Both schemes were tried (insecure); the http one got the 403.
      assert.ok(err instanceof PingError);
      const answered = err.errors.find((e) => e instanceof TransportError) as TransportError;
      assert.equal(answered.status, 403);
      assert.equal(answered.diagnostics[0]?.code, 'DENIED');
      return true;
    });
  } finally {
    await odd.close();
  }
});

test('unusable challenges are clear errors, not crashes', async () => {
  const cases: [string | undefined, RegExp][] = [
    [undefined, /answered 401 to GET \/v2\/ without a WWW-Authenticate header/],
    [',,,', /WWW-Authenticate header that does not parse: ",,,"/],
    ['Negotiate', /asks for "negotiate" authentication, which is not supported/],
    ['Bearer service="x"', /malformed WWW-Authenticate .*no realm/],
    ['Bearer realm="https://169.254.169.254/token"', /invalid realm .*link-local/],
    ['Bearer realm="ftp://auth.example/token"', /invalid realm .*must be https/],
  ];
  let header: string | undefined;
  const srv = await startServer((_req, res) => {
    res.writeHead(401, header === undefined ? {} : { 'www-authenticate': header });
    res.end();
  });
  try {
    for (const [h, want] of cases) {
      header = h;
      await assert.rejects(newTransport(new Registry(srv.host), [], { retry: FAST_RETRY }), (err: unknown) => {
        assert.ok(err instanceof AuthChallengeError, `${h}: ${String(err)}`);
        assert.match(err.message, want);
        return true;
      });
    }
  } finally {
    await srv.close();
  }
});
