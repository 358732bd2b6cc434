import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { DaemonError } from '../errors/index.ts';
import { readLoadResponse } from './load-response.ts';

/** Delivers `text` in `size`-byte pieces, so lines and UTF-8 characters straddle chunks. */
function chunked(text: string, size: number): Readable {
  const bytes = Buffer.from(text);
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

const opts = { json: true, what: 'POST unix:///d.sock /v1.41/images/load' };

test('a successful answer comes back whole, whatever the chunking', async () => {
  const text = '{"stream":"Loaded image: ex.com/ü:1\\n"}\r\n{"stream":"Loaded image ID: sha256:ab\\n"}\n';
  for (const size of [1, 3, 1000]) assert.equal(await readLoadResponse(chunked(text, size), opts), text);
});

test('an errorDetail line rejects with the daemon\'s message even though the status was 200', async () => {
  const text = '{"stream":"Loading layer"}\n{"errorDetail":{"message":"no space left on device"},"error":"no space"}\n{"stream":"after"}\n';
  await assert.rejects(readLoadResponse(chunked(text, 7), opts), (err: unknown) => {
    assert.ok(err instanceof DaemonError);
    assert.equal(err.daemonMessage, 'no space left on device');
    assert.match(err.message, /images\/load: the daemon failed to load the image: no space left on device/);
    return true;
  });
});

test('an error line without detail, or without a trailing newline, still rejects', async () => {
  await assert.rejects(readLoadResponse(chunked('{"error":"invalid tar header"}', 4), opts), /invalid tar header/);
  await assert.rejects(readLoadResponse(chunked('{"errorDetail":{}}\n', 4), opts), DaemonError);
});

test('a line that is not JSON is a DaemonError; a plain-text answer is returned as text', async () => {
  await assert.rejects(readLoadResponse(chunked('{"stream":"ok"}\n<html>oops</html>\n', 5), opts), /not JSON messages/);
  const plain = 'Loaded image: x:y\n';
  assert.equal(await readLoadResponse(chunked(plain, 5), { ...opts, json: false }), plain);
});
