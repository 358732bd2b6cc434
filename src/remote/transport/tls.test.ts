// TLS: CAs and client certificates from certs.d directories (ggcr #211) and from options, against
// an https server that requires a client certificate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { InvalidArgumentError } from '../../errors/index.ts';
import { createSelfSignedCertificate, type CertificateBundle } from '../../registry/auth/x509.ts';
import { Registry } from '../../name/registry.ts';
import { PingError } from './errors.ts';
import { newTransport } from './transport.ts';
import { FAST_RETRY, serverCertificate, startServer, text, type TestServer } from './servers.test-fixtures.ts';

let dir: string;
let serverCert: CertificateBundle;
let clientCert: CertificateBundle;
let mtls: TestServer;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'certs.d-'));
  serverCert = await serverCertificate();
  clientCert = await createSelfSignedCertificate({ commonName: 'crane client' });
  mtls = await startServer(
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.end(`hello ${peer.subject?.CN ?? 'nobody'}`);
    },
    { tls: { key: serverCert.keyPem, cert: serverCert.certPem, ca: clientCert.certPem, requestCert: true } },
  );
});
after(async () => {
  await mtls.close();
  await rm(dir, { recursive: true, force: true });
});

test('certs.d: the CA (*.crt) and the client certificate (*.cert + *.key) of the host are used', async () => {
  const hostDir = join(dir, 'docker', mtls.host);
  await mkdir(hostDir, { recursive: true });
  await writeFile(join(hostDir, 'ca.crt'), serverCert.certPem);
  await writeFile(join(hostDir, 'client.cert'), clientCert.certPem);
  await writeFile(join(hostDir, 'client.key'), clientCert.keyPem);
  const t = await newTransport(new Registry(mtls.host), [], { certsDirs: [join(dir, 'nothing-here'), join(dir, 'docker')], retry: FAST_RETRY });
  assert.equal(t.scheme, 'https');
  const res = await t.request({ method: 'GET', url: '/v2/x' });
  assert.equal(await text(res.body), 'hello crane client');
});

test('without them the server refuses us: both schemes fail', async () => {
  await assert.rejects(newTransport(new Registry(mtls.host), [], { certsDirs: [join(dir, 'empty')], retry: FAST_RETRY }), PingError);
});

test('the same through options: extra CAs and a client certificate', async () => {
  const t = await newTransport(new Registry(mtls.host), [], {
    certsDirs: [],
    tls: { ca: [serverCert.certPem], cert: clientCert.certPem, key: clientCert.keyPem },
    retry: FAST_RETRY,
  });
  assert.equal(await text((await t.request({ method: 'GET', url: '/v2/x' })).body), 'hello crane client');
});

test('a CA alone from certs.d verifies a server that asks for no client certificate', async () => {
  const cert = await serverCertificate();
  const srv = await startServer((_req, res) => res.end('ok'), { tls: { key: cert.keyPem, cert: cert.certPem } });
  try {
    const hostDir = join(dir, 'containers', srv.host);
    await mkdir(hostDir, { recursive: true });
    await writeFile(join(hostDir, 'registry.crt'), cert.certPem);
    const t = await newTransport(new Registry(srv.host), [], { certsDirs: [join(dir, 'containers')], retry: FAST_RETRY });
    assert.equal(t.scheme, 'https');
  } finally {
    await srv.close();
  }
});

test('a client certificate without its key is a clear error', async () => {
  const hostDir = join(dir, 'broken', '127.0.0.1:1');
  await mkdir(hostDir, { recursive: true });
  await writeFile(join(hostDir, 'client.cert'), clientCert.certPem);
  await assert.rejects(newTransport(new Registry('127.0.0.1:1'), [], { certsDirs: [join(dir, 'broken')], retry: FAST_RETRY }), (err: unknown) => {
    const inner = err instanceof PingError ? err.errors[0] : err;
    assert.ok(inner instanceof Error);
    const cause = (inner as { cause?: unknown }).cause ?? inner;
    assert.ok(cause instanceof InvalidArgumentError, String(cause));
    assert.match(cause.message, /client certificate .*client\.cert has no key client\.key beside it/);
    return true;
  });
});
