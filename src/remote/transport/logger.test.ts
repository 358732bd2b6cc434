// The debug log and the user agent: everything is logged, nothing secret is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basic, fromConfig } from '../../authn/authenticator.ts';
import { Registry } from '../../name/registry.ts';
import { newTransport } from './transport.ts';
import { FAST_RETRY, loopbackAgent, startServer, text } from './servers.test-fixtures.ts';
import { startFakeRegistry } from './token-registry.test-fixtures.ts';

test('the debug log shows requests, statuses and retries but no credential, token or signature', async () => {
  const dispatcher = await loopbackAgent();
  const cdn = await startServer((_req, res) => res.end('blob'));
  let failedOnce = false;
  const reg = await startFakeRegistry({
    users: { alice: 'wonderland-pw' },
    identityTokens: { 'IDENTITY-SECRET': 'alice' },
    route: (req, res) => {
      if (!req.url?.startsWith('/v2/a/blobs/')) return false;
      if (!failedOnce) {
        failedOnce = true;
        res.writeHead(503);
        res.end();
        return true;
      }
      res.writeHead(307, { location: `http://cdn.test:${cdn.port}/b?X-Amz-Signature=SIGNATURE-SECRET&token=QUERY-SECRET` });
      res.end();
      return true;
    },
  });
  try {
    const lines: string[] = [];
    const logger = (l: string) => lines.push(l);
    const t = await newTransport(new Registry(reg.host), ['repository:a:pull'], {
      retry: FAST_RETRY,
      certsDirs: [],
      dispatcher,
      logger,
      authenticator: basic('alice', 'wonderland-pw'),
    });
    await text((await t.request({ method: 'GET', url: '/v2/a/blobs/sha256:1' })).body);
    // The OAuth2 flow carries the identity and refresh tokens in a body.
    await newTransport(new Registry(reg.host), ['repository:a:pull'], {
      retry: FAST_RETRY,
      certsDirs: [],
      logger,
      authenticator: fromConfig({ identityToken: 'IDENTITY-SECRET' }),
    });
    const log = lines.join('\n');
    assert.match(log, /--> GET http:\/\/127\.0\.0\.1:\d+\/v2\//);
    assert.match(log, /<-- 401 GET http:\/\/127\.0\.0\.1:\d+\/v2\//);
    assert.match(log, /--> GET http:\/\/127\.0\.0\.1:\d+\/token\?scope=repository%3Aa%3Apull&service=fake \[body redacted: token exchange\]/);
    assert.match(log, /authorization: Basic REDACTED/);
    assert.match(log, /authorization: Bearer REDACTED/);
    assert.match(log, /retrying GET http:\/\/127\.0\.0\.1:\d+\/v2\/a\/blobs\/sha256:1 \(attempt 2 of 3\)/);
    assert.match(log, /X-Amz-Signature=REDACTED&token=REDACTED/);
    assert.match(log, /--> POST http:\/\/127\.0\.0\.1:\d+\/token/);
    const secrets = ['wonderland-pw', Buffer.from('alice:wonderland-pw').toString('base64'), 'tok-1', 'tok-2', 'SIGNATURE-SECRET', 'QUERY-SECRET', 'IDENTITY-SECRET', 'refresh-'];
    for (const s of secrets) assert.ok(!log.includes(s), `the log contains ${s}`);
  } finally {
    await Promise.all([reg.close(), cdn.close()]);
  }
});

test('User-Agent: the caller\'s prefix, then containerregistry/<version>', async () => {
  const srv = await startServer((_req, res) => res.end());
  try {
    await newTransport(new Registry(srv.host), [], { userAgent: 'crane/0.1.0', certsDirs: [] });
    assert.match(String(srv.seen[0]!.headers['user-agent']), /^crane\/0\.1\.0 containerregistry\/\d+\.\d+\.\d+/);
  } finally {
    await srv.close();
  }
});

test('Warning 299 headers reach onWarning once each', async () => {
  const srv = await startServer((_req, res) => {
    res.writeHead(200, { warning: '299 - "this registry is read-only on Sundays"' });
    res.end();
  });
  try {
    const warnings: string[] = [];
    const t = await newTransport(new Registry(srv.host), [], { certsDirs: [], onWarning: (w) => warnings.push(w) });
    await text((await t.request({ method: 'GET', url: '/v2/x' })).body);
    assert.deepEqual(warnings, ['this registry is read-only on Sundays']);
  } finally {
    await srv.close();
  }
});
