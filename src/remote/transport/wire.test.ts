// Our HTTP/1.1 reader against loopback servers made of raw sockets, so every byte of each answer is
// ours to choose: bodies read as streams and through pumps, keep-alive and its failures, dropped
// and malformed answers, aborts, and a sink that throws. A misbehaving server here stands for the
// faults a real registry cannot be made to produce on demand.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError } from '../../errors/index.ts';
import { pumpOf } from '../../internal/pump/index.ts';
import { ConnectionError } from './errors.ts';
import { wireRequest, wireTimeouts, type WireRequest, type WireResponse } from './wire.ts';
import { discard } from './http-client.ts';

/** One connection the server accepted. */
interface RawConn {
  readonly socket: Socket;
  /** The request heads received on it, in order. */
  readonly requests: string[];
  /** Resolves when the socket has closed. */
  readonly closed: Promise<void>;
}

/** Answers one request head; `index` counts requests over all connections, from 0. */
type Answer = (conn: RawConn, request: string, index: number) => void;

interface RawServer {
  readonly conns: RawConn[];
  /** Every request head received, over all connections. */
  readonly requests: string[];
  url(path?: string): URL;
  /** Resolves when `n` requests have arrived. */
  requested(n: number): Promise<void>;
  close(): Promise<void>;
}

/** A server on 127.0.0.1:0 that hands each request head (GET and HEAD have no body) to `answer`. */
async function rawServer(t: TestContext, answer: Answer): Promise<RawServer> {
  const conns: RawConn[] = [];
  const requests: string[] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  const server = createServer({ noDelay: true }, (socket) => {
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const conn: RawConn = { socket, requests: [], closed };
    conns.push(conn);
    socket.on('error', () => {});
    let pending = '';
    socket.on('data', (data: Buffer) => {
      pending += data.toString('latin1');
      for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
        const request = pending.slice(0, end + 4);
        pending = pending.slice(end + 4);
        conn.requests.push(request);
        requests.push(request);
        for (const w of waiting.filter((w) => requests.length >= w.n)) w.resolve();
        answer(conn, request, requests.length - 1);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = (): Promise<void> => {
    for (const c of conns) c.socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  t.after(close);
  return {
    conns,
    requests,
    url: (path = '/v2/a/blobs/sha256:0') => new URL(`http://127.0.0.1:${port}${path}`),
    requested: (n) => (requests.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ n, resolve }))),
    close,
  };
}

/**
 * Resolves when `conn` has closed; fails after a second. The client's idle connections close on
 * their own only after 30 s, so a connection wrongly kept would otherwise pass, slowly.
 */
async function closes(conn: RawConn): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new assert.AssertionError({ message: 'the connection was not closed within 1 s' })), 1000);
  });
  try {
    await Promise.race([conn.closed, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** An answer's head with `headers` (names as given). */
function headOf(status: string, headers: Record<string, string | number> = {}): string {
  return `HTTP/1.1 ${status}\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

/** An answer with a Content-Length body. */
function ok(body: Buffer | string, headers: Record<string, string | number> = {}): Buffer {
  const bytes = Buffer.from(body);
  return Buffer.concat([Buffer.from(headOf('200 OK', { 'Content-Length': bytes.length, ...headers }), 'latin1'), bytes]);
}

/** `body` in chunked coding, in chunks of `size` bytes. */
function chunked(body: Buffer, size: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += size) {
    const chunk = body.subarray(i, i + size);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

function get(url: URL, extra: Partial<WireRequest> = {}): Promise<WireResponse> {
  return wireRequest({ method: 'GET', url, headers: {}, ...extra });
}

async function streamed(body: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of body) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** Reads `body` through its pump, copying each piece out. */
async function pumped(body: Readable): Promise<Buffer> {
  const pump = pumpOf(body);
  assert.ok(pump, 'the body has no pump');
  const parts: Buffer[] = [];
  await pump((piece) => void parts.push(Buffer.from(piece)));
  return Buffer.concat(parts);
}

/** A broken reader tends to wait for bytes that never come: fail instead of hanging the run. */
const LIMIT = { timeout: 5_000 };

/** The two ways to read a body. */
const MODES = { stream: streamed, pump: pumped } as const;

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Asserts that `err` is a ConnectionError with `code` whose message matches `message`. */
function isConnectionError(code: ConnectionError['code'], message: RegExp): (err: unknown) => boolean {
  return (err) => {
    assert.ok(err instanceof ConnectionError, `not a ConnectionError: ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.temporary, code !== 'ERR_HTTP_PROTOCOL');
    assert.match(err.message, message);
    return true;
  };
}

test('the request on the wire: method, path and query, host, the caller\'s headers (but not its host)', LIMIT, async (t) => {
  const srv = await rawServer(t, (c) => c.socket.write(ok('')));
  const url = srv.url('/v2/a/b/blobs/sha256:00?x=1&y=%20');
  const res = await wireRequest({ method: 'GET', url, headers: { accept: '*/*', 'user-agent': 'test/1', host: 'evil.example' } });
  await streamed(res.body);
  assert.equal(srv.requests[0], `GET /v2/a/b/blobs/sha256:00?x=1&y=%20 HTTP/1.1\r\nhost: ${url.host}\r\naccept: */*\r\nuser-agent: test/1\r\n\r\n`);
});

test('a multi-MiB Content-Length body read as a stream is byte-exact', LIMIT, async (t) => {
  const blob = randomBytes(3 * 1024 * 1024 + 17);
  const srv = await rawServer(t, (c) => c.socket.write(ok(blob, { 'Docker-Content-Digest': 'sha256:x' })));
  const res = await get(srv.url());
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-length'], String(blob.length));
  assert.equal(res.headers['docker-content-digest'], 'sha256:x');
  const hash = createHash('sha256');
  let n = 0;
  for await (const chunk of res.body) {
    hash.update(chunk as Buffer);
    n += (chunk as Buffer).length;
  }
  assert.equal(n, blob.length);
  assert.equal(hash.digest('hex'), sha256(blob));
});

test('a multi-MiB body pumped is byte-exact, and every piece is a view of one reused 256 KiB buffer', LIMIT, async (t) => {
  const blob = randomBytes(3 * 1024 * 1024 + 17);
  // The head alone first: the body follows once the pump is running, so no piece is held back.
  const srv = await rawServer(t, (c) => c.socket.write(headOf('200 OK', { 'Content-Length': blob.length })));
  const res = await get(srv.url());
  const pump = pumpOf(res.body);
  assert.ok(pump);
  const hash = createHash('sha256');
  const buffers = new Set<ArrayBufferLike>();
  let calls = 0;
  let n = 0;
  const done = pump((piece) => {
    calls++;
    n += piece.length;
    buffers.add(piece.buffer);
    hash.update(piece);
  });
  srv.conns[0]!.socket.write(blob);
  await done;
  assert.equal(n, blob.length);
  assert.equal(hash.digest('hex'), sha256(blob));
  assert.ok(calls >= 12, `only ${calls} pieces for ${blob.length} bytes`);
  assert.equal(buffers.size, 1, `the pieces came from ${buffers.size} buffers`);
  assert.equal([...buffers][0]!.byteLength, 256 * 1024);
  // Once pumped, the body is spent: destroyed, with no second pump.
  assert.equal(res.body.destroyed, true);
  assert.equal(pumpOf(res.body), undefined);
});

for (const [mode, read] of Object.entries(MODES)) {
  test(`a chunked body split across TCP writes, read as a ${mode}`, LIMIT, async (t) => {
    const blob = randomBytes(200 * 1024 + 3);
    // Chunks of odd sizes, with an extension and a trailer, cut at points that fall inside size lines and data.
    const coded = Buffer.concat([chunked(blob, 7 * 1024 + 5).subarray(0, -5), Buffer.from('0;end\r\nX-Trailer: t\r\n\r\n')]);
    const cuts = [1, 3, 9, 7 * 1024 + 8, 7 * 1024 + 12, 50_000, 120_000, coded.length - 20, coded.length - 2, coded.length];
    const srv = await rawServer(t, (c) => {
      void (async () => {
        c.socket.write(headOf('200 OK', { 'Transfer-Encoding': 'chunked' }));
        let at = 0;
        for (const cut of cuts) {
          await sleep(3);
          c.socket.write(coded.subarray(at, cut));
          at = cut;
        }
      })();
    });
    const res = await get(srv.url());
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.equal(sha256(await read(res.body)), sha256(blob));
    // A chunked body ends the exchange, not the connection.
    await streamed((await get(srv.url())).body);
    assert.equal(srv.conns.length, 1);
  });

  test(`a body without length is read until the server closes, as a ${mode}; the connection is not reused`, LIMIT, async (t) => {
    const blob = randomBytes(100 * 1024);
    const srv = await rawServer(t, (c, _req, i) => {
      if (i > 0) return void c.socket.write(ok('again'));
      void (async () => {
        c.socket.write(headOf('200 OK'));
        for (let at = 0; at < blob.length; at += 40 * 1024) {
          await sleep(3);
          c.socket.write(blob.subarray(at, at + 40 * 1024));
        }
        c.socket.end();
      })();
    });
    const res = await get(srv.url());
    assert.equal(sha256(await read(res.body)), sha256(blob));
    assert.equal((await streamed((await get(srv.url())).body)).toString(), 'again');
    assert.equal(srv.conns.length, 2);
  });
}

test('keep-alive: sequential GETs (and a HEAD) to one origin share one connection', LIMIT, async (t) => {
  const srv = await rawServer(t, (c, req, i) => c.socket.write(req.startsWith('HEAD') ? headOf('200 OK', { 'Content-Length': 12345 }) : ok(`answer ${i}`)));
  for (let i = 0; i < 3; i++) assert.equal((await streamed((await get(srv.url())).body)).toString(), `answer ${i}`);
  const head = await wireRequest({ method: 'HEAD', url: srv.url(), headers: {} });
  assert.equal(head.headers['content-length'], '12345');
  assert.equal((await streamed(head.body)).length, 0);
  assert.equal((await pumped((await get(srv.url())).body)).toString(), 'answer 4');
  assert.equal(srv.conns.length, 1);
  assert.equal(srv.conns[0]!.requests.length, 5);
});

test('keep-alive: an answer with Connection: close makes the next GET open a new connection', LIMIT, async (t) => {
  // The server leaves the socket open: closing it is the client's decision.
  const srv = await rawServer(t, (c, _req, i) => c.socket.write(ok(`answer ${i}`, i === 0 ? { Connection: 'close' } : {})));
  assert.equal((await streamed((await get(srv.url())).body)).toString(), 'answer 0');
  await closes(srv.conns[0]!);
  assert.equal((await streamed((await get(srv.url())).body)).toString(), 'answer 1');
  assert.equal(srv.conns.length, 2);
  assert.equal(srv.conns[0]!.requests.length, 1);
});

test('keep-alive: an HTTP/1.0 answer without keep-alive is not reused', LIMIT, async (t) => {
  const srv = await rawServer(t, (c, _req, i) => c.socket.write(`HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n${i}`));
  for (let i = 0; i < 2; i++) assert.equal((await streamed((await get(srv.url())).body)).toString(), String(i));
  assert.equal(srv.conns.length, 2);
});

for (const [framing, answer] of [
  ['Content-Length', ok('body')],
  ['chunked', Buffer.concat([Buffer.from(headOf('200 OK', { 'Transfer-Encoding': 'chunked' })), chunked(Buffer.from('body'), 3)])],
] as const) {
  test(`keep-alive: a ${framing} body with extra bytes after it is cut at its end and its connection not reused`, LIMIT, async (t) => {
    const srv = await rawServer(t, (c, _req, i) => c.socket.write(i === 0 ? Buffer.concat([answer, Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra')]) : ok('fresh')));
    assert.equal((await streamed((await get(srv.url())).body)).toString(), 'body');
    await closes(srv.conns[0]!);
    assert.equal((await streamed((await get(srv.url())).body)).toString(), 'fresh');
    assert.equal(srv.conns.length, 2);
  });
}

test('keep-alive: bytes a server sends to an idle connection out of turn close it', LIMIT, async (t) => {
  const srv = await rawServer(t, (c, _req, i) => {
    c.socket.write(ok(`answer ${i}`));
    if (i === 0) setTimeout(() => c.socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nlater'), 10);
  });
  assert.equal((await streamed((await get(srv.url())).body)).toString(), 'answer 0');
  await closes(srv.conns[0]!);
  assert.equal((await streamed((await get(srv.url())).body)).toString(), 'answer 1');
  assert.equal(srv.conns.length, 2);
});

test('a stale pooled connection (the server closed it after the answer) is replaced without an error', LIMIT, async (t) => {
  const srv = await rawServer(t, (c) => {
    // A request that reaches the closed connection before the client saw the close gets nothing.
    if (c.socket.writableEnded) return;
    c.socket.end(ok(`conn ${srv.conns.indexOf(c)}`));
  });
  // The next GET goes out as soon as the first body ends, racing the server's FIN.
  assert.equal((await pumped((await get(srv.url())).body)).toString(), 'conn 0');
  assert.equal((await streamed((await get(srv.url())).body)).toString(), 'conn 1');
  // And once the close has surely been seen.
  await closes(srv.conns[1]!);
  await sleep(5);
  assert.equal((await streamed((await get(srv.url())).body)).toString(), 'conn 2');
  assert.equal(srv.conns.length, 3);
  // The first close is usually seen only after the second GET went out on it (then retried); the
  // second was seen, so nothing more was sent on that connection.
  assert.equal(srv.conns[1]!.requests.length, 1);
});

test('a pooled connection the server drops as the next request arrives, before a byte of answer, is retried on a new one', LIMIT, async (t) => {
  const srv = await rawServer(t, (c, _req, i) => {
    if (i === 1) return void c.socket.destroy();
    c.socket.write(ok(`answer ${i}`));
  });
  assert.equal((await streamed((await get(srv.url())).body)).toString(), 'answer 0');
  assert.equal((await streamed((await get(srv.url())).body)).toString(), 'answer 2');
  assert.equal(srv.conns.length, 2);
  assert.deepEqual(
    srv.conns.map((c) => c.requests.length),
    [2, 1],
  );
});

test('a pooled connection that drops after part of the answer is not retried: the error is the caller\'s', LIMIT, async (t) => {
  const srv = await rawServer(t, (c, _req, i) => {
    if (i === 1) return void c.socket.end('HTTP/1.1 200 OK\r\nContent-');
    c.socket.write(ok(`answer ${i}`));
  });
  await streamed((await get(srv.url())).body);
  await assert.rejects(get(srv.url()), isConnectionError('ERR_CONNECTION_CLOSED', /the connection closed before the answer was whole/));
  assert.equal(srv.conns.length, 1);
});

for (const [mode, read] of Object.entries(MODES)) {
  test(`a server that drops mid-body fails the ${mode} with a temporary ERR_CONNECTION_CLOSED saying how far it got`, LIMIT, async (t) => {
    const srv = await rawServer(t, (c) => c.socket.end(Buffer.concat([Buffer.from(headOf('200 OK', { 'Content-Length': 100_000 })), randomBytes(30_000)])));
    const res = await get(srv.url());
    await assert.rejects(read(res.body), isConnectionError('ERR_CONNECTION_CLOSED', /^GET http:\/\/127\.0\.0\.1:\d+\/v2\/a\/blobs\/sha256:0: the connection closed after 30000 of 100000 body bytes$/));
  });

  test(`a server that drops mid-way through a chunked body fails the ${mode} saying how many bytes came`, LIMIT, async (t) => {
    const srv = await rawServer(t, (c) => c.socket.end(Buffer.concat([Buffer.from(headOf('200 OK', { 'Transfer-Encoding': 'chunked' })), chunked(randomBytes(3000), 1000).subarray(0, 2500)])));
    const res = await get(srv.url());
    await assert.rejects(read(res.body), isConnectionError('ERR_CONNECTION_CLOSED', /the connection closed after 2481 body bytes$/));
  });
}

test('a server that drops before the head is whole, or says nothing, rejects the request', LIMIT, async (t) => {
  const srv = await rawServer(t, (c, _req, i) => (i === 0 ? c.socket.end('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n') : c.socket.destroy()));
  await assert.rejects(get(srv.url()), isConnectionError('ERR_CONNECTION_CLOSED', /the connection closed before the answer was whole/));
  // A fresh connection that gets nothing back is not a stale one: no second try.
  await assert.rejects(get(srv.url()), isConnectionError('ERR_CONNECTION_CLOSED', /the connection closed before the answer was whole/));
  assert.equal(srv.conns.length, 2);
});

test('malformed heads are ERR_HTTP_PROTOCOL, not temporary, and close the connection', LIMIT, async (t) => {
  const answers = [
    'SSH-2.0-OpenSSH_9.6\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
    'HTTP/1.1 200 OK\r\nContent-Length: five\r\n\r\nhello',
    'HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n',
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n',
  ];
  const messages = [/does not start with an HTTP\/1\.x status line: "SSH-2\.0-OpenSSH_9\.6"/, /conflicting Content-Length/, /not a byte count/, /malformed header line/, /switched protocols/];
  const srv = await rawServer(t, (c, _req, i) => c.socket.write(answers[i]!));
  for (const message of messages) await assert.rejects(get(srv.url()), isConnectionError('ERR_HTTP_PROTOCOL', message));
  await Promise.all(srv.conns.map(closes));
  assert.equal(srv.conns.length, answers.length);
});

test('a head longer than 64 KiB that never ends is ERR_HTTP_PROTOCOL', LIMIT, async (t) => {
  const srv = await rawServer(t, (c) => {
    void (async () => {
      c.socket.write('HTTP/1.1 200 OK\r\n');
      for (let i = 0; i < 20 && !c.socket.destroyed; i++) {
        c.socket.write(`X-Filler-${i}: ${'a'.repeat(8 * 1024)}\r\n`);
        await sleep(1);
      }
    })();
  });
  await assert.rejects(get(srv.url()), isConnectionError('ERR_HTTP_PROTOCOL', /head is longer than 65536 bytes/));
  await closes(srv.conns[0]!);
});

test(
  'a head longer than 64 KiB is ERR_HTTP_PROTOCOL even when its end arrives in the read that crosses the limit',
  LIMIT,
  async (t) => {
    // 60 KiB without an end, then 10 KiB more with it: no read ever holds an unfinished head over the limit.
    const srv = await rawServer(t, (c) => {
      c.socket.write(`HTTP/1.1 200 OK\r\nX-Filler: ${'a'.repeat(60 * 1024)}`);
      setTimeout(() => c.socket.write(`${'a'.repeat(10 * 1024)}\r\nContent-Length: 2\r\n\r\nok`), 10);
    });
    await assert.rejects(get(srv.url()), isConnectionError('ERR_HTTP_PROTOCOL', /head is longer than 65536 bytes/));
  },
);

for (const [mode, read] of Object.entries(MODES)) {
  test(`a bad chunk size fails the ${mode} with ERR_HTTP_PROTOCOL and closes the connection`, LIMIT, async (t) => {
    const srv = await rawServer(t, (c) => {
      c.socket.write(`${headOf('200 OK', { 'Transfer-Encoding': 'chunked' })}5\r\nhello\r\n`);
      setTimeout(() => c.socket.write('zz\r\n'), 10);
    });
    const res = await get(srv.url());
    await assert.rejects(read(res.body), isConnectionError('ERR_HTTP_PROTOCOL', /bad chunk size line "zz"/));
    await closes(srv.conns[0]!);
  });

  test(
    `a bad chunk size in the same read as the head fails the ${mode} when it is read, not the process`,
    LIMIT,
    async (t) => {
      const srv = await rawServer(t, (c) => c.socket.write(`${headOf('200 OK', { 'Transfer-Encoding': 'chunked' })}5\r\nhello\r\nzz\r\n`));
      const res = await get(srv.url());
      await assert.rejects(read(res.body), isConnectionError('ERR_HTTP_PROTOCOL', /bad chunk size line "zz"/));
    },
  );
}

test('interim 1xx answers before the real one are skipped, in one write or apart', LIMIT, async (t) => {
  const srv = await rawServer(t, (c, _req, i) => {
    if (i === 0) return void c.socket.write(`HTTP/1.1 100 Continue\r\n\r\n${ok('first').toString('latin1')}`);
    c.socket.write('HTTP/1.1 103 Early Hints\r\nLink: </a>; rel=preload\r\n\r\nHTTP/1.1 100 Con');
    setTimeout(() => c.socket.write(`tinue\r\n\r\n${ok('second').toString('latin1')}`), 5);
  });
  const first = await get(srv.url());
  assert.equal(first.statusCode, 200);
  assert.equal((await streamed(first.body)).toString(), 'first');
  const second = await get(srv.url());
  assert.equal(second.statusCode, 200);
  assert.equal(second.headers['link'], undefined);
  assert.equal((await pumped(second.body)).toString(), 'second');
  assert.equal(srv.conns.length, 1);
});

test('a 204 and a 304 have empty bodies and keep the connection', LIMIT, async (t) => {
  const srv = await rawServer(t, (c, _req, i) => c.socket.write(i === 0 ? headOf('204 No Content') : i === 1 ? headOf('304 Not Modified', { 'Content-Length': 10 }) : ok('after')));
  const res204 = await get(srv.url());
  assert.equal(res204.statusCode, 204);
  assert.equal((await pumped(res204.body)).length, 0);
  const res304 = await get(srv.url());
  assert.equal(res304.statusCode, 304);
  assert.equal((await streamed(res304.body)).length, 0);
  assert.equal((await streamed((await get(srv.url())).body)).toString(), 'after');
  assert.equal(srv.conns.length, 1);
});

test('a request signal aborted while waiting for the head rejects with its reason and closes the connection', LIMIT, async (t) => {
  const srv = await rawServer(t, () => {});
  const ac = new AbortController();
  const pending = get(srv.url(), { signal: ac.signal });
  await srv.requested(1);
  const reason = new Error('stop waiting');
  ac.abort(reason);
  await assert.rejects(pending, (err) => err === reason);
  await closes(srv.conns[0]!);
});

test('a request signal already aborted rejects with its reason before anything is sent', LIMIT, async (t) => {
  const srv = await rawServer(t, () => {});
  const reason = new Error('never mind');
  await assert.rejects(get(srv.url(), { signal: AbortSignal.abort(reason) }), (err) => err === reason);
  await sleep(10);
  assert.equal(srv.conns.length, 0);
});

test('a pump signal aborted mid-body rejects with its reason and closes the connection', LIMIT, async (t) => {
  const srv = await rawServer(t, (c) => c.socket.write(Buffer.concat([Buffer.from(headOf('200 OK', { 'Content-Length': 1_000_000 })), randomBytes(1000)])));
  const res = await get(srv.url());
  const pump = pumpOf(res.body);
  assert.ok(pump);
  const ac = new AbortController();
  let got = 0;
  let first: () => void = () => {};
  const firstPiece = new Promise<void>((resolve) => (first = resolve));
  const done = pump((piece) => {
    got += piece.length;
    first();
  }, { signal: ac.signal });
  await firstPiece;
  const reason = new Error('stop pumping');
  ac.abort(reason);
  await assert.rejects(done, (err) => err === reason);
  assert.equal(got, 1000);
  await closes(srv.conns[0]!);
});

test('a request signal aborted mid-body fails the stream with its reason and closes the connection', LIMIT, async (t) => {
  const srv = await rawServer(t, (c) => c.socket.write(Buffer.concat([Buffer.from(headOf('200 OK', { 'Content-Length': 1_000_000 })), randomBytes(1000)])));
  const ac = new AbortController();
  const res = await get(srv.url(), { signal: ac.signal });
  const reason = new Error('stop reading');
  const read = streamed(res.body);
  await sleep(5);
  ac.abort(reason);
  await assert.rejects(read, (err) => err === reason);
  await closes(srv.conns[0]!);
});

for (const early of [false, true]) {
  test(`a sink that throws${early ? ' on bytes that came before the pump started' : ''}: the pump rejects with that error and the connection is closed`, LIMIT, async (t) => {
    const blob = randomBytes(300 * 1024);
    const srv = await rawServer(t, (c, _req, i) => {
      if (i > 0) return void c.socket.write(ok('next'));
      if (early) return void c.socket.write(ok(blob));
      c.socket.write(headOf('200 OK', { 'Content-Length': blob.length }));
      setTimeout(() => c.socket.write(blob), 5);
    });
    const res = await get(srv.url());
    if (early) await sleep(10);
    const pump = pumpOf(res.body);
    assert.ok(pump);
    const boom = new Error('disk full');
    let calls = 0;
    await assert.rejects(
      pump(() => {
        calls++;
        throw boom;
      }),
      (err) => err === boom,
    );
    assert.equal(calls, 1);
    await closes(srv.conns[0]!);
    assert.equal((await streamed((await get(srv.url())).body)).toString(), 'next');
    assert.equal(srv.conns.length, 2);
  });
}

test('a header with CR or LF is InvalidArgumentError, and nothing is sent', LIMIT, async (t) => {
  const srv = await rawServer(t, (c) => c.socket.write(ok('')));
  for (const headers of [{ 'x-a': 'v\r\nx-injected: 1' }, { 'x-a': 'v\n' }, { 'x-a': '\rv' }, { 'x-a\r\nx-b': 'v' }]) {
    await assert.rejects(wireRequest({ method: 'GET', url: srv.url(), headers }), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.match(err.message, /holds a line break/);
      return true;
    });
  }
  await sleep(10);
  assert.equal(srv.conns.length, 0);
});

test('a URL that is not http: is InvalidArgumentError', LIMIT, async () => {
  for (const url of ['https://127.0.0.1:1/v2/', 'file:///etc/passwd', 'ftp://127.0.0.1/x']) {
    await assert.rejects(get(new URL(url)), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.match(err.message, /plain HTTP only, not [a-z]+:/);
      return true;
    });
  }
});

for (const [mode, read] of Object.entries(MODES)) {
  test(`bytes that arrive before the reader chooses are not lost (${mode})`, LIMIT, async (t) => {
    const big = randomBytes(600 * 1024);
    const small = randomBytes(1000);
    const srv = await rawServer(t, (c, _req, i) => c.socket.write(ok(i === 0 ? big : small)));
    // A body larger than the read buffer: part of it is held, the rest waits in the socket.
    const res = await get(srv.url());
    await sleep(20);
    assert.equal(sha256(await read(res.body)), sha256(big));
    // A body that came whole with its head: all held, and the connection already free again.
    const again = await get(srv.url());
    await sleep(20);
    assert.equal(sha256(await read(again.body)), sha256(small));
    assert.equal(srv.conns.length, 1);
  });
}

test(
  'a server that drops before the reader chooses fails the body when it is read, not the process',
  LIMIT,
  async (t) => {
    const srv = await rawServer(t, (c) => c.socket.end(headOf('200 OK', { 'Content-Length': 100 })));
    const res = await get(srv.url());
    await closes(srv.conns[0]!);
    await sleep(10);
    await assert.rejects(streamed(res.body), isConnectionError('ERR_CONNECTION_CLOSED', /after 0 of 100 body bytes/));
  },
);

test('a discarded short body is read to its end so the connection is kept; a long one closes it', LIMIT, async (t) => {
  const long = Buffer.alloc(100 * 1024, 0x61);
  const srv = await rawServer(t, (c, _req, i) => {
    if (i === 0) return void c.socket.write(Buffer.concat([Buffer.from(headOf('307 Temporary Redirect', { Location: '/x', 'Content-Length': 5 })), Buffer.from('moved')]));
    if (i === 1) return void c.socket.write(ok(long));
    c.socket.write(ok('third'));
  });
  discard((await get(srv.url())).body);
  discard((await get(srv.url())).body);
  assert.deepEqual(await streamed((await get(srv.url())).body), Buffer.from('third'));
  assert.equal(srv.conns[0]!.requests.length, 2, 'the redirect\'s short body was read off and its connection reused');
  await closes(srv.conns[0]!);
  assert.equal(srv.conns.length, 2, 'the long body\'s connection was closed, and the third GET opened another');
});

test('a body that arrived whole before the pump: a sink that throws, or a signal already aborted, still ends the pump', LIMIT, async (t) => {
  const srv = await rawServer(t, (c) => c.socket.write(ok('small and whole')));
  const boom = new Error('sink refuses');
  const first = await get(srv.url());
  await sleep(20);
  await assert.rejects(
    pumpOf(first.body)!(() => {
      throw boom;
    }),
    (err) => err === boom,
  );
  const second = await get(srv.url());
  await sleep(20);
  const reason = new Error('gave up before reading');
  await assert.rejects(pumpOf(second.body)!(() => {}, { signal: AbortSignal.abort(reason) }), (err) => err === reason);
});

test('interim answers count towards the head limit: endless 103s, or thousands in one read, are ERR_HTTP_PROTOCOL', LIMIT, async (t) => {
  const hint = `HTTP/1.1 103 Early Hints\r\nLink: <${'/x'.repeat(500)}>; rel=preload\r\n\r\n`;
  const srv = await rawServer(t, (c, _req, i) => {
    if (i === 0) {
      const spam = setInterval(() => (c.socket.destroyed ? clearInterval(spam) : c.socket.write(hint.repeat(10))), 1);
      c.socket.once('close', () => clearInterval(spam));
      return;
    }
    c.socket.write('HTTP/1.1 100 Continue\r\n\r\n'.repeat(15_000));
  });
  await assert.rejects(get(srv.url()), isConnectionError('ERR_HTTP_PROTOCOL', /head is longer than 65536 bytes/));
  await assert.rejects(get(srv.url()), isConnectionError('ERR_HTTP_PROTOCOL', /head is longer than 65536 bytes/));
});

test('endless chunked trailer fields are ERR_HTTP_PROTOCOL, not a request that never ends', LIMIT, async (t) => {
  const srv = await rawServer(t, (c) => {
    c.socket.write(`${headOf('200 OK', { 'Transfer-Encoding': 'chunked' })}2\r\nok\r\n0\r\n`);
    const spam = setInterval(() => (c.socket.destroyed ? clearInterval(spam) : c.socket.write('x-trailer: 0123456789\r\n'.repeat(100))), 1);
    c.socket.once('close', () => clearInterval(spam));
  });
  await assert.rejects(streamed((await get(srv.url())).body), isConnectionError('ERR_HTTP_PROTOCOL', /trailer fields are longer than 65536 bytes/));
});

test('the silence timeout fires on a stalled body, but not while the reader itself holds the socket paused', LIMIT, async (t) => {
  const saved = wireTimeouts.silenceMs;
  wireTimeouts.silenceMs = 200;
  t.after(() => void (wireTimeouts.silenceMs = saved));
  const srv = await rawServer(t, (c, _req, i) => {
    c.socket.write(`${headOf('200 OK', { 'Content-Length': 10 })}12345`);
    // The first answer never ends; the second ends once the late reader has started.
    if (i === 1) setTimeout(() => c.socket.write('67890'), 450);
  });
  await assert.rejects(streamed((await get(srv.url())).body), isConnectionError('ERR_CONNECTION_TIMEOUT', /body stalled for 0.2 s after 5 bytes/));
  const late = await get(srv.url());
  await sleep(400);
  assert.deepEqual(await streamed(late.body), Buffer.from('1234567890'));
});
