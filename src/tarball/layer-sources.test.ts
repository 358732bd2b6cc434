// Foreign (non-distributable) layers through a classic archive and back: our writer records them
// in LayerSources, our reader must put that descriptor, urls and all, back into the manifest,
// whether the archive's layer files are compressed or not.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tag } from '../name/index.ts';
import * as random from '../random/index.ts';
import * as types from '../types/index.ts';
import * as validate from '../validate/index.ts';
import type { Layer } from '../v1/interfaces.ts';
import { imageFromPath, loadManifest } from './image.ts';
import { writeToFile } from './write-file.ts';
import { collect, imageOf } from './write.test-fixtures.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tarball-foreign-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const urls = ['https://mcr.example/windows/base?part=1&x=<>', 'https://mirror.example/base'];

async function descriptorOf(l: Layer, extra: { urls: readonly string[] }) {
  return { mediaType: await l.mediaType(), size: await l.size(), digest: await l.digest(), ...extra };
}

test('a gzip foreign layer written by us reads back with its descriptor; the other layer is hashed and verifies', async () => {
  const base = random.layer(2000, types.DockerForeignLayer, { seed: 'foreign-gz-base' });
  const top = random.layer(1500, types.DockerLayer, { seed: 'foreign-gz-top' });
  const img = await imageOf([base, top], { extras: [{ urls }] });
  const path = join(dir, 'gz.tar');
  await writeToFile(path, Tag.parse('win.example/app:1'), img);

  const entry = (await loadManifest(async () => createReadStream(path)))[0]!;
  assert.deepEqual(Object.keys(entry.LayerSources ?? {}), [(await base.diffID()).toString()], 'only the foreign layer is in LayerSources');

  const back = await imageFromPath(path);
  const m = await back.manifest();
  assert.equal(m.layers.length, 2);
  assert.deepEqual(m.layers[0], await descriptorOf(base, { urls }), 'the foreign descriptor is used verbatim');
  assert.deepEqual(m.layers[1], { mediaType: types.DockerLayer, size: await top.size(), digest: await top.digest() });
  // Same config, same layer descriptors, same Go JSON: the image keeps its digest through the archive.
  assert.ok((await back.digest()).equals(await img.digest()));
  const [rb, rt] = await back.layers();
  assert.equal(await rb!.mediaType(), types.DockerForeignLayer);
  assert.ok((await rt!.diffID()).equals(await top.diffID()));
  assert.deepEqual(await collect(await rt!.compressed()), await collect(await top.compressed()));
  // The foreign layer's bytes were written too, so the whole image (both layers, each checked
  // against digest and diffID) validates.
  await validate.image(back);
});

test('an uncompressed foreign layer in an uncompressed archive (docker save of a Windows image) keeps its descriptor', async () => {
  const base = random.layer(2000, types.OCIUncompressedRestrictedLayer, { seed: 'foreign-tar-base' });
  const top = random.layer(1500, types.OCIUncompressedLayer, { seed: 'foreign-tar-top' });
  const img = await imageOf([base, top], { oci: true, extras: [{ urls }] });
  const path = join(dir, 'plain.tar');
  await writeToFile(path, Tag.parse('win.example/app:2'), img);

  const back = await imageFromPath(path);
  const m = await back.manifest();
  assert.equal(m.layers.length, 2);
  assert.deepEqual(m.layers[0], await descriptorOf(base, { urls }), 'the foreign descriptor is used verbatim, not gzipped on the fly');
  // Every other layer file is uncompressed, so it is served gzipped under a Docker media type.
  assert.equal(m.layers[1]!.mediaType, types.DockerLayer);
  assert.notEqual(m.layers[1]!.digest.toString(), (await top.digest()).toString());
  const [rb, rt] = await back.layers();
  assert.ok((await rb!.digest()).equals(await base.digest()));
  assert.ok((await rb!.diffID()).equals(await base.diffID()));
  assert.ok((await rt!.diffID()).equals(await top.diffID()));
  assert.deepEqual(await collect(await rt!.uncompressed()), await collect(await top.uncompressed()));
  assert.deepEqual(await collect(await rb!.uncompressed()), await collect(await base.uncompressed()), 'the foreign file is read from the archive');
  await validate.image(back);
});
