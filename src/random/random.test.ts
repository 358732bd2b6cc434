import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as random from './index.ts';
import * as types from '../types/index.ts';
import { readTar } from '../internal/tar/index.ts';

test('the same seed gives the same digests; different seeds differ', async () => {
  const a = random.image(2048, 2, { seed: 7 });
  const b = random.image(2048, 2, { seed: 7 });
  const c = random.image(2048, 2, { seed: 8 });
  assert.equal((await a.digest()).toString(), (await b.digest()).toString());
  assert.notEqual((await a.digest()).toString(), (await c.digest()).toString());
  const u1 = random.image(10, 1);
  const u2 = random.image(10, 1);
  assert.notEqual((await u1.digest()).toString(), (await u2.digest()).toString());
});

test('a random layer is a tar with one random_file_<n>.txt of the asked size', async () => {
  const l = random.layer(5000, types.OCILayer, { seed: 's' });
  const entries: { name: string; size: number }[] = [];
  for await (const { header, body } of readTar(await l.uncompressed())) {
    let n = 0;
    for await (const c of body) n += (c as Buffer).length;
    entries.push({ name: header.name, size: n });
  }
  assert.equal(entries.length, 1);
  assert.match(entries[0]!.name, /^random_file_\d+\.txt$/);
  assert.equal(entries[0]!.size, 5000);
});

test('media types follow format and compression', async () => {
  const oci = random.image(10, 1, { seed: 1, format: 'oci', compression: 'zstd' });
  assert.equal(await oci.mediaType(), types.OCIManifestSchema1);
  assert.equal((await oci.manifest()).layers[0]!.mediaType, types.OCILayerZStd);
  assert.equal((await oci.manifest()).config.mediaType, types.OCIConfigJSON);
  const plain = random.image(10, 1, { seed: 1, compression: 'none' });
  assert.equal((await plain.manifest()).layers[0]!.mediaType, types.DockerUncompressedLayer);
  const l = (await plain.layers())[0]!;
  assert.ok((await l.digest()).equals(await l.diffID()), 'an uncompressed layer has digest == diffID');
});

test('random.index sets platforms on descriptors and configs', async () => {
  const idx = random.index(10, 1, 2, { seed: 1, platforms: ['linux/arm/v7', 'windows/amd64:10.0.1'] });
  const im = await idx.indexManifest();
  assert.equal(im.mediaType, types.OCIImageIndex);
  assert.deepEqual(im.manifests.map((d) => d.platform), [
    { os: 'linux', architecture: 'arm', variant: 'v7' },
    { os: 'windows', architecture: 'amd64', 'os.version': '10.0.1' },
  ]);
  const cf = await (await idx.image(im.manifests[1]!.digest)).configFile();
  assert.equal(cf.os, 'windows');
  assert.equal(cf['os.version'], '10.0.1');
});
