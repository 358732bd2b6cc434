import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as types from '../types/index.ts';
import * as random from '../random/index.ts';
import * as validate from '../validate/index.ts';
import { empty } from '../index.ts';
import { Hash } from '../v1/hash.ts';
import { Platform } from '../v1/platform.ts';
import { fromPath, imageIndexFromPath, LayoutPath, write } from './index.ts';
import { drain, indexOf, listFiles, tempFolder } from './layout.test-fixtures.ts';

test('write then read an index: index.json keeps its bytes, every child validates', async () => {
  const { dir, cleanup } = await tempFolder('roundtrip');
  try {
    const idx = random.index(512, 2, 3, { seed: 'rt', platforms: ['linux/amd64', 'linux/arm64/v8'], format: 'oci' });
    const lp = await write(dir, idx);
    assert.ok(lp instanceof LayoutPath);
    assert.deepEqual(await readFile(join(dir, 'index.json')), await idx.rawManifest());
    assert.equal((await readFile(join(dir, 'oci-layout'))).toString(), '{\n    "imageLayoutVersion": "1.0.0"\n}');

    const back = await imageIndexFromPath(dir);
    assert.ok((await back.digest()).equals(await idx.digest()));
    assert.equal(await back.mediaType(), types.OCIImageIndex);
    await validate.index(back);
    for (const d of (await idx.indexManifest()).manifests) {
      const img = await back.image(d.digest);
      assert.ok((await img.digest()).equals(d.digest));
      assert.deepEqual((await img.manifest()).layers.map((l) => String(l.digest)), (await (await idx.image(d.digest)).manifest()).layers.map((l) => String(l.digest)));
    }
    // 3 images × (2 layers + config + manifest); the root index lives in index.json only.
    assert.equal((await listFiles(join(dir, 'blobs'))).length, 12);
  } finally {
    await cleanup();
  }
});

test('nested indexes and children of unknown media types are written and read back', async () => {
  const { dir, cleanup } = await tempFolder('nested');
  const src = await tempFolder('nested-src');
  try {
    const inner = random.index(256, 1, 2, { seed: 'inner' });
    const img = random.image(256, 1, { seed: 'top' });
    // An artifact child the writer does not understand: it must still be copied, as a blob.
    const artifact = Buffer.from('{"hello":"artifact"}');
    const lpSrc = await write(src.dir, empty.index());
    await lpSrc.writeBlob(Hash.of(artifact), Readable.from([artifact]));
    const artifactDesc = { mediaType: 'application/vnd.example.thing+json', size: artifact.length, digest: Hash.of(artifact) };
    await lpSrc.appendDescriptor(artifactDesc);
    await lpSrc.appendIndex(inner);
    await lpSrc.appendImage(img);

    const fromDisk = await imageIndexFromPath(src.dir);
    await write(dir, fromDisk);
    const back = await imageIndexFromPath(dir);
    const entries = (await back.indexManifest()).manifests;
    assert.deepEqual(entries.map((d) => d.mediaType), ['application/vnd.example.thing+json', types.OCIImageIndex, types.DockerManifestSchema2]);
    assert.deepEqual(await drain(await back.blob(artifactDesc.digest)), artifact);
    const child = await back.imageIndex(entries[1]!.digest);
    assert.ok((await child.digest()).equals(await inner.digest()));
    await validate.index(back);
    await assert.rejects(back.image(entries[1]!.digest), { code: 'ERR_UNEXPECTED_MEDIA_TYPE' });
    await assert.rejects(back.imageIndex(entries[2]!.digest), { code: 'ERR_UNEXPECTED_MEDIA_TYPE' });
    await assert.rejects(back.image(artifactDesc.digest), { code: 'ERR_UNEXPECTED_MEDIA_TYPE' });
  } finally {
    await cleanup();
    await src.cleanup();
  }
});

test('image() without a digest is the only entry, and refuses a layout with several', async () => {
  const { dir, cleanup } = await tempFolder('single');
  try {
    const img = random.image(256, 1, { seed: 'single' });
    const lp = await write(dir, empty.index());
    await lp.appendImage(img);
    assert.ok((await (await lp.image()).digest()).equals(await img.digest()));
    await validate.image(await lp.image());
    await lp.appendImage(random.image(256, 1, { seed: 'second' }));
    await assert.rejects(lp.image(), { code: 'ERR_INVALID_ARGUMENT', message: /has 2 entries/ });
  } finally {
    await cleanup();
  }
});

test('appendImage applies annotations, urls and platform; index.json is Go MarshalIndent', async () => {
  const { dir, cleanup } = await tempFolder('options');
  try {
    const lp = await write(dir, empty.index());
    const img = random.image(128, 1, { seed: 'opts' });
    await lp.appendImage(img, {
      annotations: { 'org.opencontainers.image.ref.name': 'v1', b: '<&>' },
      urls: ['https://example.com/x'],
      platform: Platform.parse('linux/arm64/v8'),
    });
    const d = (await (await lp.imageIndex()).indexManifest()).manifests[0]!;
    assert.deepEqual(d.annotations, { 'org.opencontainers.image.ref.name': 'v1', b: '<&>' });
    assert.deepEqual(d.urls, ['https://example.com/x']);
    assert.equal(Platform.toString(d.platform!), 'linux/arm64/v8');
    const text = (await readFile(join(dir, 'index.json'))).toString();
    const expected = [
      '{',
      '   "schemaVersion": 2,',
      '   "mediaType": "application/vnd.oci.image.index.v1+json",',
      '   "manifests": [',
      '      {',
      `         "mediaType": "${types.DockerManifestSchema2}",`,
      `         "size": ${await img.size()},`,
      `         "digest": "${await img.digest()}",`,
      '         "urls": [',
      '            "https://example.com/x"',
      '         ],',
      '         "annotations": {',
      '            "b": "\\u003c\\u0026\\u003e",',
      '            "org.opencontainers.image.ref.name": "v1"',
      '         },',
      '         "platform": {',
      '            "architecture": "arm64",',
      '            "os": "linux",',
      '            "variant": "v8"',
      '         }',
      '      }',
      '   ]',
      '}',
    ].join('\n');
    assert.equal(text, expected);
  } finally {
    await cleanup();
  }
});

test('fromPath needs index.json; appending to a folder without one says how to start', async () => {
  const { dir, cleanup } = await tempFolder('missing');
  try {
    await assert.rejects(fromPath(dir), { code: 'ERR_NOT_FOUND', message: /no index\.json/ });
    await assert.rejects(new LayoutPath(dir).appendImage(random.image(64, 1, { seed: 'x' })), { code: 'ERR_NOT_FOUND', message: /no index\.json/ });
    await assert.rejects(fromPath(join(dir, 'absent')), { code: 'ERR_NOT_FOUND' });
  } finally {
    await cleanup();
  }
});

test('an index listing the same image twice writes its blobs once', async () => {
  const { dir, cleanup } = await tempFolder('twice');
  try {
    const img = random.image(128, 2, { seed: 'twice' });
    const idx = await indexOf([{ of: img, extra: { annotations: { n: '1' } } }, { of: img, extra: { annotations: { n: '2' } } }]);
    await write(dir, idx);
    assert.equal((await listFiles(join(dir, 'blobs'))).length, 4);
    await validate.index(await imageIndexFromPath(dir));
  } finally {
    await cleanup();
  }
});
