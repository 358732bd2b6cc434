import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { CompressionError, InvalidArgumentError } from '../../errors/index.ts';
import { gunzipStream, gzipStream } from './gzip.ts';
import { MiB, samples, text, through } from './codec.test-fixtures.ts';
import { findPeer } from '../../../test/harness/peers.ts';



for (const [name, data] of Object.entries(samples)) {
  test(`gzip round-trips ${name}`, async () => {
    const compressed = await through(data, gzipStream());
    assert.deepEqual(compressed.subarray(0, 2), Buffer.of(0x1f, 0x8b));
    assert.deepEqual(await through(compressed, gunzipStream()), data);
  });

  test(`the gzip CLI reads our ${name}, and we read its`, (t) => {
    if (!findPeer(t, 'gzip')) return;
    return (async () => {
      const ours = await through(data, gzipStream());
      const cli = spawnSync('gzip', ['-dc'], { input: ours, maxBuffer: 64 * MiB });
      assert.equal(cli.status, 0, cli.stderr.toString());
      assert.deepEqual(cli.stdout, data);
      const theirs = spawnSync('gzip', ['-c', '-6'], { input: data, maxBuffer: 64 * MiB });
      assert.equal(theirs.status, 0, theirs.stderr.toString());
      assert.deepEqual(await through(theirs.stdout, gunzipStream()), data);
    })();
  });
}

test('level 1 is the default, and level 9 compresses text smaller', async () => {
  const fast = await through(text, gzipStream());
  const same = await through(text, gzipStream({ level: 1 }));
  const best = await through(text, gzipStream({ level: 9 }));
  assert.deepEqual(fast, same);
  assert.ok(best.length < fast.length, `level 9 ${best.length} should beat level 1 ${fast.length}`);
});

test('concatenated gzip members decode as one stream', async () => {
  const joined = Buffer.concat([gzipSync('hello '), gzipSync('world')]);
  assert.equal((await through(joined, gunzipStream())).toString(), 'hello world');
});

test('corrupt, truncated, trailing-garbage and empty input fail with CompressionError naming what', async () => {
  const good = gzipSync(text.subarray(0, 100_000));
  const cases: Record<string, [Buffer, RegExp]> = {
    'not gzip': [Buffer.from('definitely not gzip data'), /incorrect header check/],
    'truncated': [good.subarray(0, good.length - 100), /unexpected end of file/],
    'trailing garbage': [Buffer.concat([good, Buffer.from('junk')]), /header/],
    'empty': [Buffer.alloc(0), /unexpected end of file/],
    'flipped byte': [Buffer.from(good.map((b, i) => (i === good.length >> 1 ? b ^ 0xff : b))), /./],
  };
  for (const [name, [input, reason]] of Object.entries(cases)) {
    await assert.rejects(through(input, gunzipStream({ what: 'layer sha256:abc' })), (err: unknown) => {
      assert.ok(err instanceof CompressionError, `${name}: ${String(err)}`);
      assert.equal(err.code, 'ERR_COMPRESSION');
      assert.match(err.message, /^cannot decompress gzip data of layer sha256:abc: /);
      assert.match(err.message, reason, name);
      return true;
    });
  }
});

test('an upstream error is passed through, not relabelled as corruption', async () => {
  const failing = new Readable({
    read() {
      this.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    },
  });
  await assert.rejects(pipeline(failing, gunzipStream(), async (s: AsyncIterable<Buffer>) => {
    for await (const _ of s);
  }), (err: unknown) => {
    assert.ok(!(err instanceof CompressionError));
    assert.equal((err as { code?: string }).code, 'ECONNRESET');
    return true;
  });
});

test('levels outside 0..9 are rejected before any work', () => {
  assert.throws(() => gzipStream({ level: 10 }), InvalidArgumentError);
  assert.throws(() => gzipStream({ level: 1.5 }), InvalidArgumentError);
});
