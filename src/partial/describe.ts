/**
 * @module Helpers that derive facts from a full view (ggcr's `partial` "with" helpers): diffIDs,
 * descriptors, blob lookups, artifact types, uncompressed sizes, existence, whether a digest is
 * known without reading.
 */
import { NotFoundError } from '../errors/index.ts';
import type { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Describable, Image, Layer, WithDescriptor } from '../v1/interfaces.ts';
import type { ConfigFile } from '../v1/config.ts';
import type { Manifest } from '../v1/manifest.ts';

function hasDescriptor(x: object): x is WithDescriptor {
  return typeof (x as Partial<WithDescriptor>).descriptor === 'function';
}

/**
 * Returns the descriptor of anything describable. A view that knows its full descriptor (urls,
 * annotations, platform from the index it came from) is asked; otherwise it is computed.
 */
export async function descriptor(d: Describable): Promise<Descriptor> {
  if (hasDescriptor(d)) return d.descriptor();
  const [mediaType, size, digest] = await Promise.all([d.mediaType(), d.size(), d.digest()]);
  return { mediaType, size, digest };
}

/** The image's artifact type for referrers: the manifest's `artifactType`, else the config's media type. */
export async function artifactType(img: Image): Promise<string> {
  const m = await img.manifest();
  return m.artifactType || m.config.mediaType;
}

/** The config's `rootfs.diff_ids`. */
export async function diffIDs(img: Image): Promise<readonly Hash[]> {
  return (await img.configFile()).rootfs.diff_ids;
}

/** The compressed digests of the layers, from the manifest. */
export async function fsLayers(img: Image): Promise<readonly Hash[]> {
  return (await img.manifest()).layers.map((d) => d.digest);
}

/** The manifest descriptor of a blob (layer or config) of the image. */
export async function blobDescriptor(img: Image, h: Hash): Promise<Descriptor> {
  const m = await img.manifest();
  if (m.config.digest.equals(h)) return m.config;
  const d = m.layers.find((l) => l.digest.equals(h));
  if (!d) throw new NotFoundError(`blob ${h} not found in manifest of image`);
  return d;
}

/** The size of a blob of the image, from its manifest. */
export async function blobSize(img: Image, h: Hash): Promise<number> {
  return (await blobDescriptor(img, h)).size;
}

/**
 * True when the config's `rootfs.diff_ids` line up with the manifest's layers, one to one and in
 * order, as in any runnable image (ggcr's BlobToDiffID relies on it). When they do not (a
 * malformed image), a layer's diffID cannot be taken from the config.
 */
export function diffIDsLineUp(m: Manifest, cf: ConfigFile): boolean {
  return cf.rootfs.diff_ids.length === m.layers.length;
}

/** The diffID that goes with a compressed layer digest (manifest and config are index-aligned). */
export async function blobToDiffID(img: Image, h: Hash): Promise<Hash> {
  const [m, cf] = await Promise.all([img.manifest(), img.configFile()]);
  const i = m.layers.findIndex((l) => l.digest.equals(h));
  if (i < 0) throw new NotFoundError(`layer ${h} not found in manifest`);
  const ids = cf.rootfs.diff_ids;
  if (!diffIDsLineUp(m, cf)) {
    throw new NotFoundError(`config has ${ids.length} diff_ids but manifest has ${m.layers.length} layers`);
  }
  return ids[i]!;
}

/** The compressed digest that goes with a diffID. */
export async function diffIDToBlob(img: Image, h: Hash): Promise<Hash> {
  const [m, cf] = await Promise.all([img.manifest(), img.configFile()]);
  const ids = cf.rootfs.diff_ids;
  const i = ids.findIndex((d) => d.equals(h));
  if (i < 0) throw new NotFoundError(`diffID ${h} not found in config`);
  if (!diffIDsLineUp(m, cf)) {
    throw new NotFoundError(`config has ${ids.length} diff_ids but manifest has ${m.layers.length} layers`);
  }
  return m.layers[i]!.digest;
}

interface WithUncompressedSize {
  uncompressedSize(): Promise<number>;
}

/** The size of the uncompressed tar; reads the whole layer unless the layer knows it. */
export async function uncompressedSize(l: Layer, options: { signal?: AbortSignal } = {}): Promise<number> {
  const known = (l as Partial<WithUncompressedSize>).uncompressedSize;
  if (typeof known === 'function') return known.call(l);
  let n = 0;
  for await (const chunk of await l.uncompressed(options)) n += (chunk as Buffer).length;
  return n;
}

interface WithDigestKnown {
  digestKnown(): boolean;
}

/**
 * Whether the layer's digest and size are known without reading it. A layer made from a tar
 * (`uncompressedToLayer`, `tarball.layerFromFile` of a plain tar) learns them only from a whole
 * compression pass and says no until one has run; a layer that does not say (a registry's, a
 * layout's, whose blob is named by its digest) is taken to know them.
 */
export function digestIsKnown(l: Layer): boolean {
  const known = (l as Partial<WithDigestKnown>).digestKnown;
  return typeof known === 'function' ? known.call(l) : true;
}

interface WithExists {
  exists(): Promise<boolean>;
}

/**
 * Whether the layer's blob is there, cheaply when the layer can tell (a registry HEAD); otherwise
 * by opening (and closing) its compressed stream. Used by `validate`'s fast mode.
 */
export async function exists(l: Layer): Promise<boolean> {
  const known = (l as Partial<WithExists>).exists;
  if (typeof known === 'function') return known.call(l);
  const s = await l.compressed();
  s.destroy();
  return true;
}
