import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as types from '../types/index.ts';
import { layerFromReader } from './layer-reader.ts';
import { collect } from './write.test-fixtures.ts';
import { digestIsKnown } from '../partial/describe.ts';
import { CacheBackedLayer } from '../cache/cached-layer.ts';
import { filesystemCache } from '../cache/filesystem.ts';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const spooledFiles = () => new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('containerregistry-layer-')));
const newSpooledFiles = (before: Set<string>) => [...spooledFiles()].filter((n) => !before.has(n));

/** Not a valid tar, which does not matter: layers are bytes until someone unpacks them. */
const payload = Buffer.from('pretend this is a tar stream\n'.repeat(1000));

test('a stream is spooled to a temp file; the layer reads it; close() removes it and ends the layer', async () => {
  const before = spooledFiles();
  const layer = await layerFromReader(Readable.from([payload.subarray(0, 100), payload.subarray(100)]), { compression: 'zstd' });
  const [spool] = newSpooledFiles(before);
  assert.ok(spool, 'a temp file exists while the layer is open');
  assert.equal(await layer.mediaType(), types.OCILayerZStd);
  assert.equal((await layer.diffID()).toString(), sha256(payload));
  assert.equal((await layer.digest()).toString(), sha256(await collect(await layer.compressed())));
  await layer.close();
  assert.equal(existsSync(join(tmpdir(), spool)), false);
  await assert.rejects(layer.digest(), { code: 'ERR_CONSUMED' });
  await assert.rejects(layer.compressed(), { code: 'ERR_CONSUMED' });
  await layer.close(); // twice is fine
});

test('a compressed stream stays as it is', async () => {
  const gz = gzipSync(payload);
  const layer = await layerFromReader(Readable.from([gz]));
  try {
    assert.equal((await layer.digest()).toString(), sha256(gz));
    assert.equal((await layer.diffID()).toString(), sha256(payload));
    assert.equal(await layer.mediaType(), types.DockerLayer);
  } finally {
    await layer.close();
  }
});

test('a source that fails mid-way rejects and leaves no temp file', async () => {
  const before = spooledFiles();
  const source = new PassThrough();
  source.write(payload);
  setImmediate(() => source.destroy(new Error('upstream went away')));
  await assert.rejects(layerFromReader(source), /upstream went away/);
  assert.deepEqual(newSpooledFiles(before), []);
});

test('an abort while spooling rejects and leaves no temp file', async () => {
  const before = spooledFiles();
  const source = new PassThrough();
  source.write(payload);
  const controller = new AbortController();
  setImmediate(() => controller.abort());
  await assert.rejects(layerFromReader(source, { signal: controller.signal }), { name: 'AbortError' });
  assert.deepEqual(newSpooledFiles(before), []);
  assert.ok(source.destroyed);
});

test('a layer never closed is removed when the process exits', () => {
  const before = spooledFiles();
  const moduleUrl = new URL('./layer-reader' + (import.meta.url.endsWith('.ts') ? '.ts' : '.js'), import.meta.url).href;
  // Under tsx the child needs its loader to import TypeScript; compiled tests import the .js.
  const loader = import.meta.url.endsWith('.ts') ? ['--import', import.meta.resolve('tsx')] : [];
  const script = `
    import { Readable } from 'node:stream';
    const { layerFromReader } = await import(${JSON.stringify(moduleUrl)});
    const layer = await layerFromReader(Readable.from([Buffer.from('x'.repeat(5000))]));
    await layer.digest();
    globalThis.keep = layer;
    process.stdout.write('spooled');
  `;
  const out = execFileSync(process.execPath, [...loader, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(out, 'spooled');
  assert.deepEqual(newSpooledFiles(before), []);
});

test('a spooled plain tar says its digest is not known until a pass has run, through a cache wrapper too', async () => {
  const layer = await layerFromReader(Readable.from([payload]));
  const dir = mkdtempSync(join(tmpdir(), 'reader-digest-known-'));
  try {
    const cached = new CacheBackedLayer(layer, filesystemCache(dir));
    assert.equal(digestIsKnown(layer), false, 'a cache must not compress the whole tar to look it up');
    assert.equal(digestIsKnown(cached), false, 'passed on through the cache wrapper');
    await layer.digest();
    assert.equal(digestIsKnown(layer), true);
    assert.equal(digestIsKnown(cached), true);
  } finally {
    await layer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
