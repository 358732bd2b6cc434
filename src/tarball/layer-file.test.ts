import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as types from '../types/index.ts';
import { createTarStream } from '../internal/tar/index.ts';
import { findPeer } from '../../test/harness/peers.ts';
import { digestIsKnown } from '../partial/describe.ts';
import { layerFromFile, layerFromOpener } from './layer-file.ts';
import { collect } from './write.test-fixtures.ts';

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let dir = '';
let tarPath = '';
let tar: Buffer = Buffer.alloc(0);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tarball-layer-file-'));
  const text = Buffer.from('a line of a text file that compresses well\n'.repeat(4000));
  const noise = createHash('sha512').update('seed').digest();
  tar = await collect(
    createTarStream([
      { header: { name: 'etc/', type: 'directory', mode: 0o755 } },
      { header: { name: 'etc/motd', type: 'file', mode: 0o644, size: text.length }, body: text },
      { header: { name: 'bin/noise', type: 'file', mode: 0o755, size: noise.length }, body: noise },
    ]),
  );
  tarPath = join(dir, 'layer.tar');
  await writeFile(tarPath, tar);
});
after(() => rm(dir, { recursive: true, force: true }));

test('a plain tar is gzipped on read: Docker media type, diffID = sha256 of the file, gzip -dc gives the tar back', async (t) => {
  const layer = await layerFromFile(tarPath);
  assert.equal(await layer.mediaType(), types.DockerLayer);
  assert.equal((await layer.diffID()).toString(), sha256(tar));
  const blob = await collect(await layer.compressed());
  assert.equal((await layer.digest()).toString(), sha256(blob));
  assert.equal(await layer.size(), blob.length);
  assert.ok(blob.length < tar.length / 10, 'it really is compressed');
  assert.deepEqual(await collect(await layer.compressed()), blob, 'compressing again gives the same bytes');
  assert.deepEqual(await collect(await layer.uncompressed()), tar);
  const gzip = findPeer(t, 'gzip');
  if (!gzip) return;
  const blobPath = join(dir, 'from-plain.tar.gz');
  await writeFile(blobPath, blob);
  assert.deepEqual(execFileSync(gzip, ['-dc', blobPath]), tar);
});

test('a gzip file is used as it is: digest and size of the file, diffID of what gzip -dc gives', async (t) => {
  const gzip = findPeer(t, 'gzip');
  if (!gzip) return;
  const path = join(dir, 'cli.tar.gz');
  await writeFile(path, execFileSync(gzip, ['-9', '-c', tarPath]));
  const file = await readFile(path);
  const layer = await layerFromFile(path, { compression: 'zstd' }); // ignored: the input is compressed
  assert.equal(await layer.mediaType(), types.DockerLayer);
  assert.equal((await layer.digest()).toString(), sha256(file));
  assert.equal(await layer.size(), file.length);
  assert.equal((await layer.diffID()).toString(), sha256(execFileSync(gzip, ['-dc', path])));
  assert.deepEqual(await collect(await layer.compressed()), file);
});

test('a zstd file is used as it is, with the OCI zstd media type; diffID matches zstd -dc', async (t) => {
  const zstd = findPeer(t, 'zstd');
  if (!zstd) return;
  const path = join(dir, 'cli.tar.zst');
  execFileSync(zstd, ['-q', '-19', '-f', tarPath, '-o', path]);
  const file = await readFile(path);
  const layer = await layerFromFile(path);
  assert.equal(await layer.mediaType(), types.OCILayerZStd);
  assert.equal((await layer.digest()).toString(), sha256(file));
  assert.equal(await layer.size(), file.length);
  assert.equal((await layer.diffID()).toString(), sha256(execFileSync(zstd, ['-dc', path])));
  assert.deepEqual(await collect(await layer.uncompressed()), tar);
});

test('a plain tar with compression zstd and a level: OCI zstd media type, zstd -dc gives the tar back', async (t) => {
  const layer = await layerFromFile(tarPath, { compression: 'zstd', level: 9 });
  assert.equal(await layer.mediaType(), types.OCILayerZStd);
  const blob = await collect(await layer.compressed());
  assert.deepEqual(blob.subarray(0, 4), Buffer.from([0x28, 0xb5, 0x2f, 0xfd]));
  assert.equal((await layer.digest()).toString(), sha256(blob));
  assert.equal((await layer.diffID()).toString(), sha256(tar));
  const fast = await layerFromFile(tarPath, { compression: 'zstd', level: 1 });
  assert.notEqual((await fast.digest()).toString(), (await layer.digest()).toString(), 'the level is applied');
  const zstd = findPeer(t, 'zstd');
  if (!zstd) return;
  const blobPath = join(dir, 'from-plain.tar.zst');
  await writeFile(blobPath, blob);
  assert.deepEqual(execFileSync(zstd, ['-dc', blobPath]), tar);
});

test('gzip level applies; an OCI media type is kept when asked for', async () => {
  const nine = await layerFromFile(tarPath, { level: 9, mediaType: types.OCILayer });
  const one = await layerFromFile(tarPath);
  assert.equal(await nine.mediaType(), types.OCILayer);
  assert.ok((await nine.size()) < (await one.size()), 'level 9 is smaller than level 1 on this text');
  assert.equal((await nine.digest()).toString(), sha256(await collect(await nine.compressed())));
});

test('an uncompressed media type keeps a plain tar uncompressed: digest = diffID = sha256 of the file', async () => {
  const layer = await layerFromFile(tarPath, { mediaType: types.OCIUncompressedLayer });
  assert.equal((await layer.digest()).toString(), sha256(tar));
  assert.equal((await layer.diffID()).toString(), sha256(tar));
  assert.equal(await layer.size(), tar.length);
  assert.deepEqual(await collect(await layer.compressed()), tar);
});

test('a media type that contradicts the compression is refused', async () => {
  const gz = join(dir, 'node.tar.gz');
  await writeFile(gz, gzipSync(tar));
  await assert.rejects(layerFromFile(gz, { mediaType: types.OCILayerZStd }), {
    code: 'ERR_INVALID_ARGUMENT',
    message: /node\.tar\.gz: the blob is gzip-compressed but media type .*zstd says zstd-compressed/,
  });
  await assert.rejects(layerFromFile(tarPath, { compression: 'gzip', mediaType: types.OCILayerZStd }), {
    code: 'ERR_INVALID_ARGUMENT',
  });
  // Media types that are not layer types (artifacts) are not second-guessed.
  const artifact = await layerFromFile(gz, { mediaType: 'application/vnd.example.thing' });
  assert.equal(await artifact.mediaType(), 'application/vnd.example.thing');
});

test("compression 'none' falls back as ggcr's WithCompression(None) does: a warning, then the default", async (t) => {
  const warn = t.mock.method(process, 'emitWarning', () => {});
  const layer = await layerFromFile(tarPath, { compression: 'none' });
  assert.equal(warn.mock.callCount(), 1);
  const [message, options] = warn.mock.calls[0]!.arguments as unknown as [string, { code: string }];
  assert.match(message, /layer\.tar: compression 'none' is not supported for layers from files; using the default/);
  assert.equal(options.code, 'CONTAINERREGISTRY_LAYER_COMPRESSION');
  const gzipped = await layerFromFile(tarPath);
  assert.equal(await layer.mediaType(), types.DockerLayer);
  assert.ok((await layer.digest()).equals(await gzipped.digest()), 'the same blob as with no option: gzip');
  assert.deepEqual((await collect(await layer.compressed())).subarray(0, 2), Buffer.from([0x1f, 0x8b]));
  // With an uncompressed media type the default is to keep the tar as it is.
  const plain = await layerFromFile(tarPath, { compression: 'none', mediaType: types.OCIUncompressedLayer });
  assert.equal(warn.mock.callCount(), 2);
  assert.equal((await plain.digest()).toString(), sha256(tar));
  assert.deepEqual(await collect(await plain.compressed()), tar);
});

test('bad options and a missing file fail when the layer is made', async () => {
  await assert.rejects(layerFromFile(tarPath, { level: 12 }), { code: 'ERR_INVALID_ARGUMENT', message: /gzip level/ });
  await assert.rejects(layerFromFile(tarPath, { compression: 'zstd', level: 0 }), { code: 'ERR_INVALID_ARGUMENT' });
  await assert.rejects(layerFromFile(tarPath, { compression: 'lz4' as 'gzip' }), { code: 'ERR_INVALID_ARGUMENT' });
  await assert.rejects(layerFromFile(join(dir, 'missing.tar')), { code: 'ENOENT' });
});

test('digest and diffID are lazy, one streaming pass each at most, and memoised', async () => {
  let opens = 0;
  const opener = async () => {
    opens++;
    return Readable.from([tar.subarray(0, 1000), tar.subarray(1000)]);
  };
  const plain = await layerFromOpener(opener);
  assert.equal(opens, 1, 'making the layer only sniffs');
  assert.equal(digestIsKnown(plain), false, 'a cache must not ask for a digest that costs a pass');
  await Promise.all([plain.digest(), plain.digest(), plain.size()]);
  assert.equal(opens, 2, 'one pass for digest and size, shared by concurrent callers');
  assert.equal(digestIsKnown(plain), true);
  assert.equal((await plain.diffID()).toString(), sha256(tar));
  assert.equal(opens, 2, 'compressing a plain tar hashes it too: the diffID came with the digest');

  const gz = gzipSync(tar);
  opens = 0;
  const compressed = await layerFromOpener(async () => {
    opens++;
    return Readable.from([gz]);
  });
  assert.equal((await compressed.diffID()).toString(), sha256(tar));
  assert.equal(opens, 2);
  assert.equal((await compressed.digest()).toString(), sha256(gz));
  assert.equal(await compressed.size(), gz.length);
  assert.equal(opens, 2, 'decompressing hashed the compressed bytes on the way');
});

test('a failed pass is not memoised: the next call tries again', async () => {
  let calls = 0;
  const layer = await layerFromOpener(async () => {
    calls++;
    if (calls === 2) throw new Error('transient');
    return Readable.from([tar]);
  });
  await assert.rejects(layer.digest(), /transient/);
  assert.equal((await layer.diffID()).toString(), sha256(tar));
  assert.equal((await layer.digest()).toString(), sha256(await collect(await layer.compressed())));
});
