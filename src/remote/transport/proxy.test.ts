// Proxies from the environment, as ggcr's base transport: HTTP(S)_PROXY is used (undici tunnels
// with CONNECT), NO_PROXY and loopback addresses are not proxied. Own file: agents are shared per
// process and read the environment when first made.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { Registry } from '../../name/registry.ts';
import { newTransport } from './transport.ts';
import { FAST_RETRY, startServer, text } from './servers.test-fixtures.ts';

test('requests go through HTTP_PROXY, except to loopback and NO_PROXY hosts', async () => {
  const tunnels: string[] = [];
  const sockets: Socket[] = [];
  const proxy: Server = createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  proxy.on('connect', (req, client: Socket) => {
    tunnels.push(req.url ?? '');
    const port = Number((req.url ?? '').split(':').at(-1));
    // Every name is this machine, so the test needs no DNS.
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.push(client, upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const reg = await startServer((_req, res) => res.end('through'));
  const saved = { HTTP_PROXY: process.env['HTTP_PROXY'], NO_PROXY: process.env['NO_PROXY'] };
  process.env['HTTP_PROXY'] = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  process.env['NO_PROXY'] = 'direct.test';
  try {
    const proxied = await newTransport(new Registry(`registry.test:${reg.port}`), [], { insecure: true, retry: FAST_RETRY, certsDirs: [] });
    assert.equal(await text((await proxied.request({ method: 'GET', url: '/v2/x' })).body), 'through');
    assert.ok(tunnels.includes(`registry.test:${reg.port}`), tunnels.join(', '));
    const count = tunnels.length;
    await newTransport(new Registry(reg.host), [], { retry: FAST_RETRY, certsDirs: [] });
    assert.equal(tunnels.length, count, 'loopback is never proxied');
    // A NO_PROXY host is resolved directly, which fails here: no tunnel was asked for.
    await assert.rejects(newTransport(new Registry(`direct.test:${reg.port}`), [], { insecure: true, retry: FAST_RETRY, certsDirs: [] }), /ENOTFOUND|EAI_AGAIN/);
    assert.equal(tunnels.length, count, 'NO_PROXY is honoured');
  } finally {
    process.env['HTTP_PROXY'] = saved.HTTP_PROXY;
    process.env['NO_PROXY'] = saved.NO_PROXY;
    if (saved.HTTP_PROXY === undefined) delete process.env['HTTP_PROXY'];
    if (saved.NO_PROXY === undefined) delete process.env['NO_PROXY'];
    for (const s of sockets) s.destroy();
    proxy.close();
    await reg.close();
  }
});
