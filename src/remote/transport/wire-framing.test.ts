// The byte rules of our HTTP/1.1 reader, each on its own: the head, the body's framing, whether the
// connection may be kept, and the chunked decoder fed in every way TCP may cut a body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionError } from './errors.ts';
import { ChunkedDecoder, framingOf, keepsAlive, parseHead, type ResponseHead } from './wire-framing.ts';

/** Asserts that `fn` throws a non-temporary ERR_HTTP_PROTOCOL whose message matches `message`. */
function assertProtocol(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConnectionError, `not a ConnectionError: ${String(err)}`);
    assert.equal(err.code, 'ERR_HTTP_PROTOCOL');
    assert.equal(err.temporary, false);
    assert.match(err.message, message);
    return true;
  });
}

function head(status: number, headers: Record<string, string | string[]> = {}, version = 'HTTP/1.1'): ResponseHead {
  return { status, version, headers };
}

test('parseHead: status, version and lower-cased names; values trimmed; a repeated header is an array', () => {
  const parsed = parseHead('HTTP/1.1 206 Partial Content\r\nContent-Length: 10\r\nX-Thing:  a  \r\nSet-Cookie: 1\r\nset-cookie: 2\r\nSET-COOKIE: 3\r\nX-Empty:');
  assert.equal(parsed.status, 206);
  assert.equal(parsed.version, 'HTTP/1.1');
  assert.deepEqual(parsed.headers, { 'content-length': '10', 'x-thing': 'a', 'set-cookie': ['1', '2', '3'], 'x-empty': '' });
});

test('parseHead: HTTP/1.0, and a status line without a reason phrase', () => {
  assert.deepEqual(parseHead('HTTP/1.0 200'), { status: 200, version: 'HTTP/1.0', headers: {} });
  assert.equal(parseHead('HTTP/1.1 404 ').status, 404);
});

test('parseHead: a status line that is not HTTP/1.x is rejected, quoting it', () => {
  for (const line of ['SSH-2.0-OpenSSH_9.6', 'HTTP/2 200', 'HTTP/1.1 20 OK', 'HTTP/1.1 2000 OK', 'HTTP/1.1  200 OK', 'http/1.1 200 OK', '', 'HTTP/1.1 200 OK\nX: y']) {
    assertProtocol(() => parseHead(line), /does not start with an HTTP\/1\.x status line/);
  }
  assertProtocol(() => parseHead('SSH-2.0-OpenSSH_9.6'), /"SSH-2\.0-OpenSSH_9\.6"/);
});

test('parseHead: malformed header lines and obs-fold are rejected', () => {
  const bad = [
    'no colon here',
    ': empty name',
    'Bad Name: space in the name',
    'Name : space before the colon',
    ' folded: leading space',
    '\tfolded: leading tab',
    'X-Ok: 1\r\n continued value', // obs-fold (RFC 9112 §5.2)
    'X-\u00e9: non-token name',
  ];
  for (const lines of bad) assertProtocol(() => parseHead(`HTTP/1.1 200 OK\r\n${lines}`), /malformed header line/);
});

test('framingOf: HEAD, 204, 304 and 1xx answers have no body, whatever their headers say', () => {
  assert.deepEqual(framingOf('HEAD', head(200, { 'content-length': '1000' })), { kind: 'none' });
  assert.deepEqual(framingOf('HEAD', head(200, { 'transfer-encoding': 'chunked' })), { kind: 'none' });
  assert.deepEqual(framingOf('GET', head(204, { 'content-length': '5' })), { kind: 'none' });
  assert.deepEqual(framingOf('GET', head(304, { 'content-length': '5' })), { kind: 'none' });
  assert.deepEqual(framingOf('GET', head(103)), { kind: 'none' });
});

test('framingOf: Transfer-Encoding chunked beats Content-Length; any other coding is refused, not passed on', () => {
  assert.deepEqual(framingOf('GET', head(200, { 'transfer-encoding': 'chunked' })), { kind: 'chunked' });
  assert.deepEqual(framingOf('GET', head(200, { 'transfer-encoding': 'Chunked' })), { kind: 'chunked' });
  assert.deepEqual(framingOf('GET', head(200, { 'transfer-encoding': 'chunked', 'content-length': '3' })), { kind: 'chunked' });
  // A blob's bytes must arrive as stored; gzip we would not undo would only fail the digest later.
  for (const te of ['gzip, chunked', 'chunked, gzip', 'gzip', 'chunked, chunked']) {
    assert.throws(() => framingOf('GET', head(200, { 'transfer-encoding': te })), (err: unknown) => {
      assert.ok(err instanceof ConnectionError);
      assert.equal(err.code, 'ERR_HTTP_PROTOCOL');
      assert.match(err.message, /Transfer-Encoding .* is not supported/);
      return true;
    });
  }
  assert.throws(() => framingOf('GET', head(200, { 'transfer-encoding': ['gzip', 'chunked'] })), { code: 'ERR_HTTP_PROTOCOL' });
});

test('keepsAlive: an answer with both Transfer-Encoding and Content-Length is read, then its connection closed', () => {
  const h = head(200, { 'transfer-encoding': 'chunked', 'content-length': '3' });
  assert.equal(keepsAlive(h, framingOf('GET', h)), false);
  assert.equal(keepsAlive(head(200, { 'transfer-encoding': 'chunked' }), { kind: 'chunked' }), true);
});

test('framingOf: Content-Length, repeated identically, is accepted', () => {
  assert.deepEqual(framingOf('GET', head(200, { 'content-length': '0' })), { kind: 'length', length: 0 });
  assert.deepEqual(framingOf('GET', head(200, { 'content-length': '1048576' })), { kind: 'length', length: 1048576 });
  assert.deepEqual(framingOf('GET', head(200, { 'content-length': ['42', '42'] })), { kind: 'length', length: 42 });
  assert.deepEqual(framingOf('GET', head(200, { 'content-length': '42, 42' })), { kind: 'length', length: 42 });
  assert.deepEqual(framingOf('GET', head(404, { 'content-length': '7' })), { kind: 'length', length: 7 });
});

test('framingOf: conflicting Content-Length values are rejected', () => {
  assertProtocol(() => framingOf('GET', head(200, { 'content-length': ['42', '43'] })), /conflicting Content-Length/);
  assertProtocol(() => framingOf('GET', head(200, { 'content-length': '42, 43' })), /conflicting Content-Length/);
  assertProtocol(() => framingOf('GET', head(200, { 'content-length': ['42', '42, 7'] })), /conflicting Content-Length/);
});

test('framingOf: a Content-Length that is not a byte count is rejected', () => {
  for (const cl of ['', 'abc', '-1', '+5', '0x10', '1.5', '1e3', '5 5', '1234567890123456']) {
    assertProtocol(() => framingOf('GET', head(200, { 'content-length': cl })), /Content-Length is not a byte count/);
  }
});

test('framingOf: no Content-Length and no Transfer-Encoding means read until close', () => {
  assert.deepEqual(framingOf('GET', head(200)), { kind: 'close' });
  assert.deepEqual(framingOf('GET', head(200, {}, 'HTTP/1.0')), { kind: 'close' });
});

test('keepsAlive: HTTP/1.1 keeps by default, HTTP/1.0 only with keep-alive', () => {
  const length = { kind: 'length', length: 1 } as const;
  assert.equal(keepsAlive(head(200), length), true);
  assert.equal(keepsAlive(head(200, {}, 'HTTP/1.0'), length), false);
  assert.equal(keepsAlive(head(200, { connection: 'keep-alive' }, 'HTTP/1.0'), length), true);
  assert.equal(keepsAlive(head(200, { connection: 'Keep-Alive' }, 'HTTP/1.0'), length), true);
  assert.equal(keepsAlive(head(204, {}), { kind: 'none' }), true);
  assert.equal(keepsAlive(head(200), { kind: 'chunked' }), true);
});

test('keepsAlive: a close token in Connection ends it, in any case and among other tokens', () => {
  const length = { kind: 'length', length: 1 } as const;
  assert.equal(keepsAlive(head(200, { connection: 'close' }), length), false);
  assert.equal(keepsAlive(head(200, { connection: 'Keep-Alive, CLOSE' }), length), false);
  assert.equal(keepsAlive(head(200, { connection: ['upgrade', 'close'] }), length), false);
  assert.equal(keepsAlive(head(200, { connection: 'close' }, 'HTTP/1.0'), length), false);
  // A token that merely contains "close" is another token.
  assert.equal(keepsAlive(head(200, { connection: 'closed' }), length), true);
});

test('keepsAlive: a body read until close never keeps the connection', () => {
  assert.equal(keepsAlive(head(200, { connection: 'keep-alive' }), { kind: 'close' }), false);
});

// "Wikipedia in\r\n\r\nchunks." with chunk extensions (one quoted, one after whitespace) and two trailers.
const BODY = 'Wikipedia in\r\n\r\nchunks.';
const CHUNKED = Buffer.from(
  '4;name=value\r\nWiki\r\n' + '5 ;ext="a;b"\r\npedia\r\n' + 'E\r\n in\r\n\r\nchunks.\r\n' + '0;last\r\n' + 'Expires: never\r\nX-Trailer: 1\r\n' + '\r\n',
  'latin1',
);

/** Feeds `pieces` in turn; returns the body and how many bytes of each piece `feed` took. */
function decode(pieces: Buffer[]): { body: string; used: number[]; done: boolean } {
  const decoder = new ChunkedDecoder();
  const out: Buffer[] = [];
  const used = pieces.map((p) =>
    decoder.feed(p, (data) => {
      assert.ok(data.length > 0, 'an empty run of body bytes was emitted');
      out.push(Buffer.from(data));
    }),
  );
  return { body: Buffer.concat(out).toString('latin1'), used, done: decoder.done };
}

test('ChunkedDecoder: a body with extensions and trailers, fed whole', () => {
  const { body, used, done } = decode([CHUNKED]);
  assert.equal(body, BODY);
  assert.deepEqual(used, [CHUNKED.length]);
  assert.equal(done, true);
});

test('ChunkedDecoder: the same body split in two at every byte boundary decodes the same', () => {
  for (let cut = 1; cut < CHUNKED.length; cut++) {
    const { body, used, done } = decode([CHUNKED.subarray(0, cut), CHUNKED.subarray(cut)]);
    assert.equal(body, BODY, `cut at ${cut}`);
    assert.deepEqual(used, [cut, CHUNKED.length - cut], `cut at ${cut}`);
    assert.equal(done, true, `cut at ${cut}`);
  }
});

test('ChunkedDecoder: the same body fed one byte at a time decodes the same, done only at the last byte', () => {
  const decoder = new ChunkedDecoder();
  const out: Buffer[] = [];
  for (let i = 0; i < CHUNKED.length; i++) {
    assert.equal(decoder.done, false, `done early, at byte ${i}`);
    assert.equal(
      decoder.feed(CHUNKED.subarray(i, i + 1), (data) => out.push(Buffer.from(data))),
      1,
    );
  }
  assert.equal(decoder.done, true);
  assert.equal(Buffer.concat(out).toString('latin1'), BODY);
});

test('ChunkedDecoder: emits views of the input, not copies', () => {
  const views: Buffer[] = [];
  new ChunkedDecoder().feed(CHUNKED, (data) => views.push(data));
  assert.ok(views.length > 0);
  for (const v of views) assert.equal(v.buffer, CHUNKED.buffer);
});

test('ChunkedDecoder: feed counts only the body, so bytes after the final chunk are noticed', () => {
  const extra = Buffer.from('HTTP/1.1 200 OK\r\n');
  const { body, used, done } = decode([Buffer.concat([CHUNKED, extra])]);
  assert.equal(body, BODY);
  assert.equal(done, true);
  assert.deepEqual(used, [CHUNKED.length]);

  // Split so that the end and the extra bytes arrive in the second piece; then a piece after the end.
  const cut = CHUNKED.length - 3;
  const split = decode([CHUNKED.subarray(0, cut), Buffer.concat([CHUNKED.subarray(cut), extra]), extra]);
  assert.equal(split.body, BODY);
  assert.deepEqual(split.used, [cut, 3, 0]);
});

test('ChunkedDecoder: an empty body (only the last chunk) is done without emitting', () => {
  const { body, used, done } = decode([Buffer.from('0\r\n\r\n')]);
  assert.equal(body, '');
  assert.deepEqual(used, [5]);
  assert.equal(done, true);
});

test('ChunkedDecoder: a malformed chunk-size line is rejected', () => {
  for (const line of ['zz', '', ' 5', '-1', '0x5', '1234567890abc', '5 x', '5\r']) {
    assertProtocol(() => new ChunkedDecoder().feed(Buffer.from(`${line}\r\nhello\r\n0\r\n\r\n`), () => {}), /bad chunk size line/);
  }
});

test('ChunkedDecoder: chunk data not followed by CRLF is rejected', () => {
  // Data longer than its size says.
  assertProtocol(() => new ChunkedDecoder().feed(Buffer.from('3\r\nabcd\r\n0\r\n\r\n'), () => {}), /longer than its size line says/);
  // The next size line straight after the data.
  assertProtocol(() => new ChunkedDecoder().feed(Buffer.from('3\r\nabc0\r\n\r\n'), () => {}), /longer than its size line says/);
  // A bare LF where CRLF belongs.
  assertProtocol(() => new ChunkedDecoder().feed(Buffer.from('3\r\nabc\n0\r\n\r\n'), () => {}), /does not end in CRLF/);
  assertProtocol(() => new ChunkedDecoder().feed(Buffer.from('3\nabc\r\n0\r\n\r\n'), () => {}), /does not end in CRLF/);
});

test('ChunkedDecoder: an over-long size or trailer line is rejected, whole or a byte at a time', () => {
  const long = 'a'.repeat(5000);
  assertProtocol(() => new ChunkedDecoder().feed(Buffer.from(`1;${long}\r\nx\r\n0\r\n\r\n`), () => {}), /longer than 4 KiB/);
  assertProtocol(() => new ChunkedDecoder().feed(Buffer.from(`0\r\nX-Long: ${long}\r\n\r\n`), () => {}), /longer than 4 KiB/);
  // A size line that never ends: the limit holds across pieces, without waiting for a line feed.
  const decoder = new ChunkedDecoder();
  assertProtocol(() => {
    for (let i = 0; i < 5000; i++) decoder.feed(Buffer.from('1'), () => {});
  }, /longer than 4 KiB/);
});

test('parseHead: a NUL or bare LF inside a header value is refused, not read as part of it', () => {
  for (const line of ['x-a: one\nx-b: two', 'x-a: nul\0here']) {
    assert.throws(() => parseHead(`HTTP/1.1 200 OK\r\n${line}`), (err: unknown) => err instanceof ConnectionError && err.code === 'ERR_HTTP_PROTOCOL' && /holds a NUL, CR or LF/.test(err.message));
  }
});
