/**
 * @module Checks an image: manifest and config bytes against their digests, sizes and parsed
 * forms; every layer against the manifest, the config's diff_ids and its own bytes; lookups by
 * digest and diffID (ggcr's `validate.Image`, with zstd and uncompressed layers too).
 */
import { isDeepStrictEqual } from 'node:util';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import { parseConfigFile } from '../v1/config.ts';
import { parseManifest } from '../v1/manifest.ts';
import type { Image, Layer } from '../v1/interfaces.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import { checkLayer, Problems, type ValidateOptions } from './layer.ts';

/** Validates an image; throws `ValidationError` listing every problem found. */
export async function image(img: Image, options: ValidateOptions = {}): Promise<void> {
  const p = new Problems();
  await checkImage(img, '', p, options);
  p.throwIfAny();
}

const at = (where: string, what: string) => (where ? `${where} ${what}` : what);

/** Records the problems of `img` in `p`, each prefixed with `where`. */
export async function checkImage(img: Image, where: string, p: Problems, options: ValidateOptions): Promise<void> {
  // Manifest: bytes, digest, size, parse round trip.
  const rawManifest = await p.attempt(at(where, 'rawManifest()'), () => img.rawManifest());
  const manifest = await p.attempt(at(where, 'manifest()'), () => img.manifest());
  if (!rawManifest || !manifest) return;
  const reparsed = await p.attempt(at(where, 'manifest'), async () => parseManifest(rawManifest));
  const [digest, size, mediaType] = await Promise.all([
    p.attempt(at(where, 'digest()'), () => img.digest()),
    p.attempt(at(where, 'size()'), () => img.size()),
    p.attempt(at(where, 'mediaType()'), () => img.mediaType()),
  ]);
  const manifestDigest = Hash.of(rawManifest);
  if (digest && !digest.equals(manifestDigest)) {
    p.add(at(where, 'manifest'), `digest mismatch: digest() is ${digest}, raw manifest hashes to ${manifestDigest}`);
  }
  if (size !== undefined && size !== rawManifest.length) {
    p.add(at(where, 'manifest'), `size mismatch: size() is ${size}, raw manifest is ${rawManifest.length} bytes`);
  }
  if (reparsed && !isDeepStrictEqual(reparsed, manifest)) {
    p.add(at(where, 'manifest'), 'manifest() differs from the parsed raw manifest');
  }
  if (mediaType && manifest.mediaType && mediaType !== manifest.mediaType) {
    p.add(at(where, 'manifest'), `mediaType() is ${mediaType} but the manifest says ${manifest.mediaType}`);
  }

  // Config: bytes, digest, size, parse round trip, rootfs.
  const rawConfig = await p.attempt(at(where, 'rawConfigFile()'), () => img.rawConfigFile());
  const configFile = await p.attempt(at(where, 'configFile()'), () => img.configFile());
  const configName = await p.attempt(at(where, 'configName()'), () => img.configName());
  if (rawConfig) {
    const h = Hash.of(rawConfig);
    if (configName && !configName.equals(h)) p.add(at(where, 'config'), `configName() is ${configName}, raw config hashes to ${h}`);
    if (!manifest.config.digest.equals(h)) p.add(at(where, 'config'), `manifest config.digest is ${manifest.config.digest}, raw config hashes to ${h}`);
    if (manifest.config.size !== rawConfig.length) {
      p.add(at(where, 'config'), `manifest config.size is ${manifest.config.size}, raw config is ${rawConfig.length} bytes`);
    }
    const reparsedConfig = await p.attempt(at(where, 'config'), async () => parseConfigFile(rawConfig));
    if (reparsedConfig && configFile && !isDeepStrictEqual(reparsedConfig, configFile)) {
      p.add(at(where, 'config'), 'configFile() differs from the parsed raw config');
    }
  }
  // Artifacts (non-config media types) carry arbitrary configs; only image configs have rootfs.
  const isImageConfig = types.isConfig(manifest.config.mediaType);
  if (configFile && isImageConfig && configFile.rootfs.type !== 'layers') {
    p.add(at(where, 'config'), `rootfs.type is ${JSON.stringify(configFile.rootfs.type)}, want "layers"`);
  }

  // Layers: count, per-layer facts, contents, lookups.
  const layers = await p.attempt(at(where, 'layers()'), () => img.layers());
  if (!layers) return;
  if (layers.length !== manifest.layers.length) {
    p.add(at(where, 'layers'), `layers() returned ${layers.length} layers, the manifest lists ${manifest.layers.length}`);
    return;
  }
  const diffIDs = configFile && isImageConfig ? configFile.rootfs.diff_ids : undefined;
  const layerCount = manifest.layers.filter((d) => types.isLayer(d.mediaType)).length;
  if (diffIDs && diffIDs.length !== layerCount) {
    p.add(at(where, 'config'), `rootfs.diff_ids has ${diffIDs.length} entries, the manifest has ${layerCount} layers`);
  }
  for (const [i, l] of layers.entries()) {
    const desc = manifest.layers[i]!;
    const label = at(where, `layer[${i}] ${desc.digest}`);
    // Foreign / non-distributable layers often cannot be fetched at all: ggcr only warns for them.
    const q = types.isDistributable(desc.mediaType) ? p : new Problems();
    await checkLayerAgainst(img, l, desc, i, label, q, diffIDs, layerCount, options);
    if (q !== p) for (const w of q.list) options.onWarning?.(w);
  }
}

async function checkLayerAgainst(
  img: Image,
  l: Layer,
  desc: Descriptor,
  i: number,
  label: string,
  p: Problems,
  diffIDs: readonly Hash[] | undefined,
  layerCount: number,
  options: ValidateOptions,
): Promise<void> {
  const before = p.list.length;
  await checkLayer(l, label, p, options);
  if (p.list.length > before) return;
  const facts = await p.attempt(label, () => Promise.all([l.digest(), l.size(), l.mediaType()]));
  if (!facts) return;
  const [d, s, mt] = facts;
  if (!d.equals(desc.digest)) p.add(label, `digest() is ${d}, manifest says ${desc.digest}`);
  if (s !== desc.size) p.add(label, `size() is ${s}, manifest says ${desc.size}`);
  if (mt !== desc.mediaType) p.add(label, `mediaType() is ${mt}, manifest says ${desc.mediaType}`);
  if (!types.isLayer(desc.mediaType)) return;
  const diffID = await p.attempt(label, () => l.diffID());
  const want = diffIDs?.[i];
  if (diffID && want && diffIDs.length === layerCount && !diffID.equals(want)) {
    p.add(label, `diffID() is ${diffID}, config rootfs.diff_ids[${i}] is ${want}`);
  }
  if (options.fast) return;
  const byDigest = await p.attempt(label, () => img.layerByDigest(desc.digest));
  if (byDigest && !(await p.attempt(label, () => byDigest.digest()))?.equals(desc.digest)) p.add(label, 'layerByDigest() returned a different layer');
  if (diffID) {
    const byDiffID = await p.attempt(label, () => img.layerByDiffID(diffID));
    if (byDiffID && !(await p.attempt(label, () => byDiffID.diffID()))?.equals(diffID)) p.add(label, 'layerByDiffID() returned a different layer');
  }
}
