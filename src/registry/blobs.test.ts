// Blob downloads when something goes wrong on the server's side, over a real loopback connection.
import { test, mock, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createHandler } from './handler.ts';
import { tempDiskStorage } from './storage/disk.test-fixtures.ts';
import { spyFs } from './storage/fs-spy.test-fixtures.ts';
import { createMemoryStorage } from './storage/memory.ts';
import { blob, failingAfter, pushBlob } from './storage/contract.test-fixtures.ts';
import type { RegistryStorage } from './storage/types.ts';

/** Serves `storage` on a free loopback port for the test's duration; returns the port. */
async function serve(t: TestContext, storage: RegistryStorage): Promise<number> {
  const server = createServer(createHandler({ storage }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

/** The lines the registry logs on stderr during the test (kept off the real stderr). */
function captureServerLog(t: TestContext): string[] {
  const logged: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  const spy = mock.method(process.stderr, 'write', (chunk: string | Uint8Array, ...rest: never[]) => {
    if (!String(chunk).startsWith('registry:')) return write(chunk, ...rest);
    logged.push(String(chunk));
    return true;
  });
  t.after(() => spy.mock.restore());
  return logged;
}

/** GETs `path`; resolves once the response closes, with what arrived and whether it was whole. */
function download(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; length: number; received: number; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let received = 0;
      res.on('data', (c: Buffer) => (received += c.length));
      res.on('error', () => {}); // the abort under test; `complete` tells it
      res.on('close', () =>
        resolve({ status: res.statusCode ?? 0, length: Number(res.headers['content-length']), received, complete: res.complete }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

test('a read error part-way through a blob GET aborts the transfer and is logged', async (t) => {
  const memory = createMemoryStorage();
  const data = blob('0123456789', 10_000);
  const { digest } = await pushBlob(memory, 'lib/app', data);
  const failure = new Error('EIO: i/o error, read');
  // The disk gives out after 5000 bytes.
  const storage: RegistryStorage = { ...memory, openBlob: async () => failingAfter(data.subarray(0, 5000), failure) };
  const port = await serve(t, storage);

  const logged = captureServerLog(t);

  const got = await download(port, `/v2/lib/app/blobs/${digest}`);
  assert.equal(got.status, 200);
  assert.equal(got.length, data.length);
  assert.equal(got.received, 5000);
  assert.equal(got.complete, false, 'the client must see an aborted transfer, not a clean end');
  // The log is written when the handler settles, which may come just after the socket closed.
  for (let i = 0; i < 50 && logged.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(logged.length, 1, 'the read error must be logged once');
  assert.match(logged[0]!, new RegExp(`^registry: GET /v2/lib/app/blobs/${digest}: Error: EIO: i/o error, read`));
});

test('a client that goes away mid-download is not logged as a server failure', async (t) => {
  const memory = createMemoryStorage();
  const data = blob('abcdefghij', 400_000);
  const { digest } = await pushBlob(memory, 'lib/app', data);
  let closed!: () => void;
  const bodyClosed = new Promise<void>((resolve) => (closed = resolve));
  const storage: RegistryStorage = {
    ...memory,
    async openBlob(repository, d, range) {
      const body = await memory.openBlob(repository, d, range);
      body?.once('close', closed);
      return body;
    },
  };
  const port = await serve(t, storage);
  const logged = captureServerLog(t);

  await new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/v2/lib/app/blobs/${digest}`, agent: false }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', () => {});
    req.once('error', reject);
    req.end();
  });
  await bodyClosed;
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(logged, []);
});

test('a blob GET checks the repository link once (disk)', async (t) => {
  const { root, storage } = await tempDiskStorage(t);
  const data = blob('0123456789', 100);
  const { digest } = await pushBlob(storage, 'lib/app', data);
  const port = await serve(t, storage);
  const link = join(root, 'repositories', 'lib', 'app', '_layers', 'sha256', digest.hex);

  const fs = spyFs(t, ['stat']);
  const whole = await download(port, `/v2/lib/app/blobs/${digest}`);
  assert.deepEqual([whole.status, whole.received, whole.complete], [200, 1000, true]);
  assert.equal(fs.count('stat', link), 1);

  fs.reset();
  const part = await download(port, `/v2/lib/app/blobs/${digest}`, { Range: 'bytes=10-19' });
  assert.deepEqual([part.status, part.received, part.complete], [206, 10, true]);
  assert.equal(fs.count('stat', link), 1);

  // Not linked into another repository: still a 404, from that one check.
  fs.reset();
  assert.equal((await download(port, `/v2/lib/other/blobs/${digest}`)).status, 404);
  assert.equal(fs.count('stat', join(root, 'repositories', 'lib', 'other', '_layers', 'sha256', digest.hex)), 1);
});
