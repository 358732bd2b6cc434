import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as random from '../random/index.ts';
import * as validate from '../validate/index.ts';
import * as types from '../types/index.ts';
import { empty } from '../index.ts';
import { BadDocumentError, NotFoundError } from '../errors/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Image, Layer } from '../v1/interfaces.ts';
import { delegateImage, delegateLayer } from '../v1/delegate.test-fixtures.ts';
import { readTar } from '../internal/tar/index.ts';
import { openTarSource } from '../internal/archive/tar-source.ts';
import { dirSource } from '../internal/archive/dir-source.ts';
import { file, tarBytes, writeArchive as writeTestArchive } from '../internal/archive/archive.test-fixtures.ts';
import { fromFileSource, imageIndexFromPath, writeArchive, writeArchiveToFile, write } from './index.ts';
import { drain, indexOf, listFiles, tempFolder } from './layout.test-fixtures.ts';

const REF = 'org.opencontainers.image.ref.name';

test('an OCI-layout tar: oci-layout, index.json, then each blob once, as Go writes them', async () => {
  const img = random.image(512, 2, { seed: 'tar-a', format: 'oci' });
  const other = random.image(512, 1, { seed: 'tar-b', format: 'oci' });
  const idx = await indexOf([
    { of: img, extra: { annotations: { [REF]: 'a' } } },
    { of: img, extra: { annotations: { [REF]: 'a-again' } } },
    { of: other, extra: { annotations: { [REF]: 'b' } } },
  ]);
  const bytes = await drain(writeArchive(idx));
  const headers = [];
  for await (const { header, body } of readTar(Readable.from([bytes]))) {
    headers.push(header);
    body.resume();
  }
  const names = headers.map((h) => h.name);
  assert.deepEqual(names.slice(0, 2), ['oci-layout', 'index.json']);
  assert.equal(names.length, 2 + 4 + 3, 'blobs of the image listed twice appear once');
  assert.equal(new Set(names).size, names.length);
  for (const h of headers) {
    assert.equal(h.type, 'file');
    assert.equal(h.mode, 0o644);
    assert.equal(h.uid, 0);
    assert.equal(h.mtime.getTime(), 0);
    if (h.name.startsWith('blobs/')) assert.match(h.name, /^blobs\/sha256\/[0-9a-f]{64}$/);
  }
  // Same index, same bytes.
  assert.deepEqual(await drain(writeArchive(idx)), bytes);
});

test('an archive reads back through the tar FileSource with every digest kept', async () => {
  const { dir, cleanup } = await tempFolder('tar-roundtrip');
  try {
    const inner = random.index(256, 1, 2, { seed: 'tar-inner', platforms: ['linux/amd64', 'linux/arm64'] });
    const img = random.image(256, 2, { seed: 'tar-img', compression: 'zstd', format: 'oci' });
    const idx = await indexOf([
      { of: inner, extra: { annotations: { [REF]: 'multi' } } },
      { of: img, extra: { annotations: { [REF]: 'zstd' } } },
    ]);
    const path = join(dir, 'image.oci.tar');
    await writeArchiveToFile(path, idx);
    assert.deepEqual(await listFiles(dir), ['image.oci.tar']);

    const back = await fromFileSource(await openTarSource(path));
    assert.deepEqual(await back.rawManifest(), await idx.rawManifest());
    await validate.index(back);
    const child = await back.imageIndex((await inner.digest()));
    assert.ok((await child.digest()).equals(await inner.digest()));
    assert.ok((await (await back.image(await img.digest())).digest()).equals(await img.digest()));

    // A layout folder and its archive hold the same files.
    const folder = join(dir, 'folder');
    await write(folder, idx);
    const fromFolder = await fromFileSource(dirSource(folder));
    assert.deepEqual(await fromFolder.rawManifest(), await back.rawManifest());
    const tarNames: string[] = [];
    for await (const { header, body } of readTar(createReadStream(path))) {
      tarNames.push(header.name);
      body.resume();
    }
    assert.deepEqual(tarNames.filter((n) => n.startsWith('blobs/')).sort(), (await listFiles(folder)).filter((n) => n.startsWith('blobs/')));
  } finally {
    await cleanup();
  }
});

test('an archive read as a layout must hold an oci-layout that is JSON; a folder need not (as ggcr)', async () => {
  const { dir, cleanup } = await tempFolder('tar-layout-file');
  try {
    const index = '{"schemaVersion":2,"manifests":[]}';
    const archive = async (name: string, entries: Parameters<typeof tarBytes>[0]) => writeTestArchive(dir, name, await tarBytes(entries));
    const missing = await archive('missing.tar', [file('index.json', index)]);
    await assert.rejects(fromFileSource(await openTarSource(missing)), (err: unknown) => {
      assert.ok(err instanceof NotFoundError, String(err));
      assert.match(err.message, /^archive .*missing\.tar is not an OCI image layout: it has no oci-layout$/);
      return true;
    });
    const bad = await archive('bad.tar', [file('oci-layout', '{"imageLayoutVersion":'), file('index.json', index)]);
    await assert.rejects(fromFileSource(await openTarSource(bad)), (err: unknown) => {
      assert.ok(err instanceof BadDocumentError, String(err));
      assert.match(err.message, /^oci-layout of archive .*bad\.tar is not valid JSON/);
      return true;
    });
    const good = await archive('good.tar', [file('oci-layout', '{"imageLayoutVersion":"1.0.0"}'), file('index.json', index)]);
    assert.deepEqual((await (await fromFileSource(await openTarSource(good))).indexManifest()).manifests, []);
    // A folder without one is read through LayoutPath, as ggcr's FromPath reads it.
    await writeFile(join(dir, 'index.json'), index);
    assert.deepEqual((await (await imageIndexFromPath(dir)).indexManifest()).manifests, []);
    await assert.rejects(fromFileSource(dirSource(dir)), { code: 'ERR_NOT_FOUND', message: /has no oci-layout/ });
  } finally {
    await cleanup();
  }
});

test('an archive of a layout copies children of unknown media types', async () => {
  const { dir, cleanup } = await tempFolder('tar-unknown');
  try {
    const lp = await write(join(dir, 'layout'), empty.index());
    const body = Buffer.from('{"just":"an artifact"}');
    await lp.writeBlob(Hash.of(body), Readable.from([body]));
    await lp.appendDescriptor({ mediaType: 'application/vnd.example+json', size: body.length, digest: Hash.of(body) });
    const path = join(dir, 'out.tar');
    await pipeline(writeArchive(await lp.imageIndex()), createWriteStream(path));
    const back = await fromFileSource(await openTarSource(path));
    assert.deepEqual(await drain(await back.blob(Hash.of(body))), body);
    assert.equal((await back.indexManifest()).manifests[0]!.mediaType, 'application/vnd.example+json');
  } finally {
    await cleanup();
  }
});

test('writeArchiveToFile leaves nothing behind when aborted or when a blob is wrong', async () => {
  const { dir, cleanup } = await tempFolder('tar-abort');
  try {
    // Aborted once the archive is under way: when the writer opens the second layer (a timer
    // raced the writer, which sometimes finished first).
    const controller = new AbortController();
    const reason = new Error('stop');
    const base = random.image(256 * 1024, 2, { seed: 'tar-abort' });
    let opened = 0;
    const abortOnSecond = (l: Layer): Layer => ({
      ...delegateLayer(l),
      compressed: (o) => {
        if (++opened === 2) controller.abort(reason);
        return l.compressed(o);
      },
    });
    const stopping: Image = {
      ...delegateImage(base),
      layers: async () => (await base.layers()).map(abortOnSecond),
      layerByDigest: async (h) => abortOnSecond(await base.layerByDigest(h)),
    };
    const running = writeArchiveToFile(join(dir, 'a.tar'), await indexOf([{ of: stopping }]), { signal: controller.signal });
    await assert.rejects(running, reason);
    assert.equal(opened >= 2, true);

    // An image whose config bytes do not hash to the name its manifest gives.
    const img = random.image(64, 1, { seed: 'tar-bad' });
    const liar: Image = { ...delegateImage(img), rawConfigFile: async () => Buffer.from('{"not":"the config"}') };
    const bad = await indexOf([{ of: liar }]);
    await assert.rejects(writeArchiveToFile(join(dir, 'b.tar'), bad), { code: 'ERR_DIGEST_MISMATCH' });
    assert.deepEqual(await listFiles(dir), []);
  } finally {
    await cleanup();
  }
});

test('index.json of an archive is the index as given (the ref names podman looks up)', async () => {
  const img = random.image(64, 1, { seed: 'tar-ref' });
  const idx = await indexOf([{ of: img, extra: { annotations: { [REF]: 'latest' } } }]);
  for await (const { header, body } of readTar(writeArchive(idx))) {
    if (header.name === 'index.json') {
      const parsed = JSON.parse((await drain(body)).toString());
      assert.equal(parsed.mediaType, types.OCIImageIndex);
      assert.equal(parsed.manifests[0].annotations[REF], 'latest');
    } else if (header.name === 'oci-layout') {
      assert.deepEqual(JSON.parse((await drain(body)).toString()), { imageLayoutVersion: '1.0.0' });
    } else body.resume();
  }
});
