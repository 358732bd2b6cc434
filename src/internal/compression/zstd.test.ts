import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompressionError, InvalidArgumentError } from '../../errors/index.ts';
import { zstdBackend, zstdCompressStream, zstdDecompressStream } from './zstd.ts';
import { MiB, samples, text, through } from './codec.test-fixtures.ts';
import { findPeer } from '../../../test/harness/peers.ts';


const backend = await zstdBackend();
const native = backend === 'native';
const noNative = 'zstd-napi is not loadable here (or CONTAINERREGISTRY_ZSTD=js): compression is unavailable';
const hasCli = spawnSync('zstd', ['--version']).error === undefined;
const noCli = 'zstd CLI not installed';

/** Compresses with the zstd CLI (level 1, so frames carry checksums as it writes by default). */
function cliCompress(data: Buffer): Buffer {
  const r = spawnSync('zstd', ['-c', '-1', '-q'], { input: data, maxBuffer: 64 * MiB });
  assert.equal(r.status, 0, r.stderr.toString());
  return r.stdout;
}

/** A zstd skippable frame (RFC 8878 §3.1.2): magic 0x184D2A50, length, opaque bytes. */
function skippableFrame(payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(0x184d2a50, 0);
  header.writeUInt32LE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

test('the backend is native when zstd-napi loads and the variable is unset', async (t) => {
  if (process.env['CONTAINERREGISTRY_ZSTD'] === 'js') return t.skip('CONTAINERREGISTRY_ZSTD=js is set');
  let loadable = true;
  try {
    (await import('node:module')).createRequire(import.meta.url)('zstd-napi');
  } catch {
    loadable = false;
  }
  assert.equal(backend, loadable ? 'native' : 'js');
});

for (const [name, data] of Object.entries(samples)) {
  test(`zstd round-trips ${name}`, async (t) => {
    if (!native) return t.skip(noNative);
    const compressed = await through(data, zstdCompressStream());
    assert.deepEqual(compressed.subarray(0, 4), Buffer.of(0x28, 0xb5, 0x2f, 0xfd));
    assert.deepEqual(await through(compressed, zstdDecompressStream()), data);
  });

  test(`the zstd CLI reads our ${name}`, async (t) => {
    if (!native) return t.skip(noNative);
    if (!findPeer(t, 'zstd')) return;
    const r = spawnSync('zstd', ['-dc'], { input: await through(data, zstdCompressStream()), maxBuffer: 64 * MiB });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.deepEqual(r.stdout, data);
  });

  test(`we read the zstd CLI's ${name}`, async (t) => {
    if (!findPeer(t, 'zstd')) return;
    assert.deepEqual(await through(cliCompress(data), zstdDecompressStream()), data);
  });
}

test('our frames carry a content checksum, as ggcr and the CLI write them', async (t) => {
  if (!native) return t.skip(noNative);
  const out = await through(Buffer.from('checksummed'), zstdCompressStream());
  // Frame_Header_Descriptor is the byte after the magic; bit 2 is Content_Checksum_flag.
  assert.equal(out[4]! & 0x04, 0x04);
});

test('higher levels compress text smaller than the default level 1', async (t) => {
  if (!native) return t.skip(noNative);
  const fast = await through(text, zstdCompressStream());
  const best = await through(text, zstdCompressStream({ level: 19 }));
  assert.ok(best.length < fast.length, `level 19 ${best.length} should beat level 1 ${fast.length}`);
});

test('concatenated and skippable frames decode as one stream', async (t) => {
  if (!findPeer(t, 'zstd')) return;
  const joined = Buffer.concat([skippableFrame(Buffer.from('ignored')), cliCompress(Buffer.from('hello ')), cliCompress(Buffer.from('world'))]);
  assert.equal((await through(joined, zstdDecompressStream())).toString(), 'hello world');
});

test('corrupt, truncated and empty input fail with CompressionError naming what', async (t) => {
  if (!findPeer(t, 'zstd')) return;
  const good = cliCompress(text.subarray(0, 200_000));
  const cases: Record<string, Buffer> = {
    'garbage after the magic': Buffer.concat([Buffer.of(0x28, 0xb5, 0x2f, 0xfd), Buffer.alloc(64, 0xff)]),
    'truncated': good.subarray(0, good.length - 50),
    'empty': Buffer.alloc(0),
  };
  for (const [name, input] of Object.entries(cases)) {
    await assert.rejects(through(input, zstdDecompressStream({ what: 'layer sha256:abc' })), (err: unknown) => {
      assert.ok(err instanceof CompressionError, `${name}: ${String(err)}`);
      assert.equal(err.code, 'ERR_COMPRESSION');
      assert.match(err.message, /^cannot decompress zstd data of layer sha256:abc: /, name);
      return true;
    });
  }
});

test('levels outside 1..22 are rejected before any work', () => {
  assert.throws(() => zstdCompressStream({ level: 0 }), InvalidArgumentError);
  assert.throws(() => zstdCompressStream({ level: 23 }), InvalidArgumentError);
});

// The fallback runs in a child process because the backend is chosen once per process. This file
// also runs compiled (dist/**/*.test.js under plain `node --test`), so the child imports whichever
// sibling exists: zstd.ts through tsx, or zstd.js directly.
test('CONTAINERREGISTRY_ZSTD=js decompresses with fzstd and refuses to compress', async (t) => {
  let compressed: Buffer;
  const data = samples['3 MiB random + 3 MiB text']!;
  if (hasCli) compressed = Buffer.concat([cliCompress(data), cliCompress(Buffer.from('tail'))]);
  else if (native) compressed = await through(Buffer.concat([data, Buffer.from('tail')]), zstdCompressStream());
  else return t.skip(`${noCli}, and ${noNative}: nothing to make test input with`);
  const expected = Buffer.concat([data, Buffer.from('tail')]);

  const asTs = import.meta.url.endsWith('.ts');
  const target = new URL(asTs ? './zstd.ts' : './zstd.js', import.meta.url).href;
  const script = `
    import { Readable } from 'node:stream';
    import { pipeline } from 'node:stream/promises';
    import { createHash } from 'node:crypto';
    const z = await import(${JSON.stringify(target)});
    const inputs = JSON.parse(await new Response(Readable.toWeb(process.stdin)).text());
    const report = { backend: await z.zstdBackend(), results: {} };
    try { z.zstdCompressStream(); report.compress = 'ok'; }
    catch (err) { report.compress = { code: err.code, message: err.message }; }
    for (const [name, b64] of Object.entries(inputs)) {
      const hash = createHash('sha256');
      let size = 0;
      try {
        await pipeline(Readable.from([Buffer.from(b64, 'base64')]), z.zstdDecompressStream({ what: name }),
          async (s) => { for await (const c of s) { hash.update(c); size += c.length; } });
        report.results[name] = { size, sha256: hash.digest('hex') };
      } catch (err) { report.results[name] = { code: err.code, message: err.message }; }
    }
    process.stdout.write(JSON.stringify(report));
  `;
  const env: NodeJS.ProcessEnv = { ...process.env, CONTAINERREGISTRY_ZSTD: 'js' };
  delete env['NODE_TEST_CONTEXT'];
  const args = [...(asTs ? ['--import', 'tsx'] : []), '--input-type=module', '-e', script];
  const inputs = {
    good: compressed.toString('base64'),
    truncated: compressed.subarray(0, 1000).toString('base64'),
    garbage: Buffer.concat([Buffer.of(0x28, 0xb5, 0x2f, 0xfd), Buffer.alloc(64, 0xff)]).toString('base64'),
    empty: '',
  };
  const r = spawnSync(process.execPath, args, {
    cwd: dirname(fileURLToPath(import.meta.url)),
    env,
    input: JSON.stringify(inputs),
    maxBuffer: 16 * MiB,
  });
  assert.equal(r.status, 0, r.stderr.toString());
  const report = JSON.parse(r.stdout.toString());
  assert.equal(report.backend, 'js');
  assert.equal(report.compress.code, 'ERR_ZSTD_UNAVAILABLE');
  assert.match(report.compress.message, /CONTAINERREGISTRY_ZSTD=js/);
  assert.match(report.compress.message, /npm install zstd-napi/);
  assert.deepEqual(report.results.good, {
    size: expected.length,
    sha256: createHash('sha256').update(expected).digest('hex'),
  });
  for (const bad of ['truncated', 'garbage', 'empty']) {
    assert.equal(report.results[bad].code, 'ERR_COMPRESSION', bad);
    assert.match(report.results[bad].message, new RegExp(`^cannot decompress zstd data of ${bad}: `));
  }
});
