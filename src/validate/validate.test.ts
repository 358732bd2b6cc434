import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import * as validate from './index.ts';
import * as random from '../random/index.ts';
import * as empty from '../empty/index.ts';
import * as staticLayer from '../static/index.ts';
import * as stream from '../stream/index.ts';
import * as types from '../types/index.ts';
import { compressedToImage } from '../partial/image.ts';
import { Hash } from '../v1/hash.ts';
import type { Image, Layer } from '../v1/interfaces.ts';
import { ValidationError } from '../errors/index.ts';
import { randomStream } from '../random/bytes.ts';
import { createTarStream } from '../internal/tar/index.ts';

const compressions = ['gzip', 'zstd', 'none'] as const;

async function fails(p: Promise<unknown>, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ValidationError, `want ValidationError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_VALIDATION');
    for (const re of patterns) assert.ok(e.problems.some((x) => re.test(x)), `no problem matches ${re}: ${e.problems.join(' | ')}`);
    return true;
  });
}

test('validate passes on random images and indexes with gzip, zstd and uncompressed layers', async () => {
  for (const compression of compressions) {
    for (const format of ['docker', 'oci'] as const) {
      await validate.image(random.image(3000, 3, { seed: `v-${compression}-${format}`, compression, format }));
    }
    await validate.index(random.index(2000, 2, 3, { seed: compression, compression, platforms: ['linux/amd64', 'linux/arm64/v8'] }));
  }
});

test('validate passes on the empty image and index, static layers and stream layers', async () => {
  await validate.image(empty.image());
  await validate.index(empty.index());
  await validate.layer(staticLayer.newLayer('{"hello":"world"}', 'application/json'));
  for (const compression of compressions) {
    const tar = createTarStream([{ header: { name: 'a.txt', type: 'file', mode: 0o644, size: 100_000 }, body: randomStream(compression, 100_000) }]);
    await validate.layer(stream.newLayer(tar, { compression }));
  }
});

test('validate fast mode only checks existence', async () => {
  await validate.image(random.image(1000, 2, { seed: 'fast' }), { fast: true });
});

/** A view that behaves like `target` except for the methods given (others stay bound to it). */
function override<T extends object>(target: T, over: Partial<T>): T {
  return new Proxy(target, {
    get: (t, k) => {
      if (k in over) return over[k as keyof T];
      const v = (t as Record<PropertyKey, unknown>)[k];
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}
const tamper = (img: Image, over: Partial<Image>): Image => override(img, over);
const tamperLayer = (l: Layer, over: Partial<Layer>): Layer => override(l, over);
async function withLayer(img: Image, i: number, over: Partial<Layer>): Promise<Image> {
  const layers = [...(await img.layers())];
  layers[i] = tamperLayer(layers[i]!, over);
  return tamper(img, { layers: async () => layers });
}

test('validate reports a wrong layer digest, size and diffID precisely', async () => {
  for (const compression of compressions) {
    const img = random.image(2000, 2, { seed: `bad-${compression}`, compression });
    const wrong = Hash.of('not the layer');
    await fails(validate.image(await withLayer(img, 1, { digest: async () => wrong })), new RegExp(`layer\\[1\\].*digest mismatch: digest\\(\\) is ${wrong}`));
    const realSize = await (await img.layers())[0]!.size();
    await fails(validate.image(await withLayer(img, 0, { size: async () => realSize + 1 })), new RegExp(`layer\\[0\\].*size mismatch: size\\(\\) is ${realSize + 1}, compressed bytes are ${realSize}`));
    await fails(validate.image(await withLayer(img, 0, { diffID: async () => wrong })), /layer\[0\].*diffID mismatch/);
    // Bytes that do not hash to the digest: corrupt one byte of the blob.
    const l0 = (await img.layers())[0]!;
    const corrupt = async () => {
      const chunks: Buffer[] = [];
      for await (const c of await l0.compressed()) chunks.push(c as Buffer);
      const b = Buffer.concat(chunks);
      b[b.length - 9] = b[b.length - 9]! ^ 0xff;
      return Readable.from([b]);
    };
    await fails(validate.image(await withLayer(img, 0, { compressed: corrupt })), /layer\[0\]/);
  }
});

test('validate reports a bad config and a bad manifest', async () => {
  const img = random.image(1000, 1, { seed: 'cfg' });
  const raw = await img.rawConfigFile();
  const edited = Buffer.from(raw.toString().replace('"amd64"', '"arm64"'));
  await fails(validate.image(tamper(img, { rawConfigFile: async () => edited })), /config: manifest config\.digest is sha256:\w+, raw config hashes to/);
  await fails(validate.image(tamper(img, { configName: async () => Hash.of('x') })), /configName\(\) is/);

  const m = await img.rawManifest();
  await fails(validate.image(tamper(img, { digest: async () => Hash.of('x') })), /manifest: digest mismatch: digest\(\) is/);
  await fails(validate.image(tamper(img, { size: async () => m.length - 1 })), /manifest: size mismatch/);
  await fails(validate.image(tamper(img, { rawManifest: async () => Buffer.from('{"schemaVersion":2,"layers":[]}') })), /manifest/);

  // A config whose rootfs is not "layers" and whose diff_ids do not line up.
  const badRootfs = Buffer.from(JSON.stringify({ ...JSON.parse(raw.toString()), rootfs: { type: 'nope', diff_ids: [] } }));
  const rebuilt = compressedToImage({
    mediaType: () => img.mediaType(),
    rawConfigFile: async () => badRootfs,
    rawManifest: async () => {
      const j = JSON.parse(m.toString());
      j.config.digest = Hash.of(badRootfs).toString();
      j.config.size = badRootfs.length;
      return Buffer.from(JSON.stringify(j));
    },
    layerByDigest: (h) => img.layerByDigest(h),
  });
  await fails(validate.image(rebuilt), /rootfs\.type is "nope"/, /rootfs\.diff_ids has 0 entries, the manifest has 1 layers/);
});

test('validate.index reports a child whose digest does not match its descriptor', async () => {
  const idx = random.index(500, 1, 2, { seed: 'idx', platforms: ['linux/amd64', 'linux/arm64'] });
  const [a] = (await idx.indexManifest()).manifests;
  const other = random.image(500, 1, { seed: 'other' });
  const bad = { ...idx, indexManifest: () => idx.indexManifest(), rawManifest: () => idx.rawManifest(), digest: () => idx.digest(), size: () => idx.size(), mediaType: () => idx.mediaType(), imageIndex: idx.imageIndex, image: async (h: Hash) => (h.equals(a!.digest) ? other : idx.image(h)) };
  await fails(validate.index(bad), new RegExp(`manifests\\[0\\] ${a!.digest}: digest\\(\\) is`));
});

test('validate.index reports a platform that disagrees with the child config', async () => {
  const idx = random.index(500, 1, 1, { seed: 'plat', platforms: ['linux/arm64'] });
  const raw = JSON.parse((await idx.rawManifest()).toString());
  raw.manifests[0].platform = { os: 'linux', architecture: 'amd64' };
  const changed = Buffer.from(JSON.stringify(raw));
  const { parseIndexManifest } = await import('../v1/manifest.ts');
  const bad = { ...idx, rawManifest: async () => changed, indexManifest: async () => parseIndexManifest(changed), digest: async () => Hash.of(changed), size: async () => changed.length, mediaType: () => idx.mediaType(), image: idx.image, imageIndex: idx.imageIndex };
  await fails(validate.index(bad), /descriptor platform linux\/amd64 does not match config platform linux\/arm64/);
});

test('non-layer media types in layers are not decompressed', async () => {
  const l = staticLayer.newLayer(Buffer.from([0x1f, 0x8b, 0, 0]), 'application/octet-stream');
  await validate.layer(l);
  assert.equal(types.isLayer(await l.mediaType()), false);
});
