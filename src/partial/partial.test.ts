import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as partial from './index.ts';
import { digestIsKnown } from './describe.ts';
import * as random from '../random/index.ts';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import { hasCode } from '../errors/index.ts';
import * as match from '../match/index.ts';
import { Platform } from '../v1/platform.ts';

async function bytes(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('compressedToLayer sniffs the codec, decompresses, and computes the diffID', async () => {
  const tar = Buffer.alloc(2048, 1);
  const gz = gzipSync(tar);
  const l = partial.compressedToLayer({
    digest: async () => Hash.of(gz),
    size: async () => gz.length,
    // Mislabelled on purpose: the bytes decide, not the media type.
    mediaType: async () => types.DockerUncompressedLayer,
    compressed: async () => Readable.from([gz]),
  });
  assert.deepEqual(await bytes(await l.uncompressed()), tar);
  assert.equal((await l.diffID()).toString(), Hash.of(tar).toString());
});

test('uncompressedToLayer compresses on demand with the codec of its media type, deterministically', async () => {
  const tar = Buffer.alloc(4096, 2);
  for (const [mt, magic] of [
    [types.DockerLayer, '1f8b'],
    [types.OCILayerZStd, '28b52ffd'],
    [types.OCIUncompressedLayer, '0202'],
  ] as const) {
    const l = partial.uncompressedToLayer({
      diffID: async () => Hash.of(tar),
      uncompressed: async () => Readable.from([tar]),
      mediaType: async () => mt,
    });
    const a = await bytes(await l.compressed());
    const b = await bytes(await l.compressed());
    assert.ok(a.equals(b), `${mt}: compressing twice gives the same bytes`);
    assert.equal(a.subarray(0, magic.length / 2).toString('hex'), magic, mt);
    assert.equal((await l.digest()).toString(), Hash.of(a).toString());
    assert.equal(await l.size(), a.length);
  }
});

test('digestIsKnown: a layer made from a tar says no until a compression pass has run; a layer that does not say knows it', async () => {
  const tar = Buffer.alloc(4096, 3);
  let opens = 0;
  const l = partial.uncompressedToLayer({
    diffID: async () => Hash.of(tar),
    uncompressed: async () => {
      opens++;
      return Readable.from([tar]);
    },
    mediaType: async () => types.DockerLayer,
  });
  assert.equal(digestIsKnown(l), false);
  await l.diffID();
  assert.equal(digestIsKnown(l), false, 'the diffID is not the digest');
  await l.digest();
  assert.equal(opens, 1);
  assert.equal(digestIsKnown(l), true);
  const gz = gzipSync(tar);
  const blob = partial.compressedToLayer({ digest: async () => Hash.of(gz), size: async () => gz.length, compressed: async () => Readable.from([gz]), mediaType: async () => types.DockerLayer });
  assert.equal(digestIsKnown(blob), true);
});

test('images from random: lookups by digest and diffID, config layer, blob helpers', async () => {
  const img = random.image(1000, 3, { seed: 'p' });
  const m = await img.manifest();
  const cf = await img.configFile();
  assert.equal(m.layers.length, 3);
  assert.equal(m.mediaType, types.DockerManifestSchema2);
  assert.equal(m.config.mediaType, types.DockerConfigJSON);
  for (const [i, d] of m.layers.entries()) {
    const l = await img.layerByDigest(d.digest);
    assert.ok((await l.digest()).equals(d.digest));
    assert.ok((await partial.blobToDiffID(img, d.digest)).equals(cf.rootfs.diff_ids[i]!));
    assert.ok((await partial.diffIDToBlob(img, cf.rootfs.diff_ids[i]!)).equals(d.digest));
    assert.equal(await partial.blobSize(img, d.digest), d.size);
    assert.ok((await (await img.layerByDiffID(cf.rootfs.diff_ids[i]!)).digest()).equals(d.digest));
  }
  const cfgLayer = await img.layerByDigest(await img.configName());
  assert.equal(await cfgLayer.mediaType(), types.OCIConfigJSON);
  assert.deepEqual(await bytes(await cfgLayer.compressed()), await img.rawConfigFile());
  await assert.rejects(img.layerByDigest(Hash.of('nope')), (e: unknown) => hasCode(e, 'ERR_NOT_FOUND'));
  assert.deepEqual(await partial.descriptor(img), { mediaType: await img.mediaType(), size: await img.size(), digest: await img.digest() });
  assert.equal(await partial.artifactType(img), types.DockerConfigJSON);
  // header block + 1000 bytes padded to 1024 + two end-of-archive blocks
  assert.equal(await partial.uncompressedSize((await img.layers())[0]!), 512 + 1024 + 1024);
  assert.equal(await partial.exists((await img.layers())[0]!), true);
});

test('compressedToImage over an existing manifest gives diffIDs from the config without decompressing', async () => {
  const src = random.image(1000, 2, { seed: 'c' });
  let opened = 0;
  const img = partial.compressedToImage({
    mediaType: () => src.mediaType(),
    rawManifest: () => src.rawManifest(),
    rawConfigFile: () => src.rawConfigFile(),
    layerByDigest: async (h) => {
      const l = await src.layerByDigest(h);
      return {
        digest: () => l.digest(),
        size: () => l.size(),
        mediaType: () => l.mediaType(),
        compressed: async () => {
          opened++;
          return l.compressed();
        },
      };
    },
  });
  const layers = await img.layers();
  const cf = await img.configFile();
  assert.ok((await layers[1]!.diffID()).equals(cf.rootfs.diff_ids[1]!));
  assert.equal(opened, 0);
  assert.ok((await img.digest()).equals(await src.digest()));
  const desc = await (layers[0] as unknown as { descriptor(): Promise<{ digest: Hash }> }).descriptor();
  assert.ok(desc.digest.equals((await src.manifest()).layers[0]!.digest));
});

test('findImages and findManifests walk an index by matcher', async () => {
  const idx = random.index(100, 1, 3, { seed: 'f', platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/s390x'] });
  const arm = await partial.findManifests(idx, match.platforms(Platform.parse('linux/arm64/v8')));
  assert.equal(arm.length, 1);
  const imgs = await partial.findImages(idx, () => true);
  assert.equal(imgs.length, 3);
  assert.equal((await imgs[2]!.configFile()).architecture, 's390x');
  assert.equal((await partial.findIndexes(idx, () => true)).length, 0);
});

test('layerByDiffID of an uncompressed image keeps its options (same digest as the manifest)', async () => {
  for (const options of [{ level: 9 }, { compression: 'zstd' as const }]) {
    const src = random.image(3000, 1, { seed: 'opts' });
    const img = partial.uncompressedToImage(
      { rawConfigFile: () => src.rawConfigFile(), mediaType: async () => types.DockerManifestSchema2, layerByDiffID: async (h) => src.layerByDiffID(h) as never },
      options,
    );
    const [diffID] = (await img.configFile()).rootfs.diff_ids;
    const want = (await img.manifest()).layers[0]!.digest;
    assert.ok((await (await img.layerByDiffID(diffID!)).digest()).equals(want), JSON.stringify(options));
  }
});

test('a compressor that cannot be made opens no source', async () => {
  let opened = 0;
  const l = partial.uncompressedToLayer(
    {
      diffID: async () => Hash.of(''),
      uncompressed: async () => {
        opened++;
        return Readable.from([Buffer.alloc(10)]);
      },
      mediaType: async () => types.DockerLayer,
    },
    { level: 30 },
  );
  await assert.rejects(l.compressed(), /level/);
  assert.equal(opened, 0);
});
