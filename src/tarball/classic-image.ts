/**
 * @module One image of a classic `docker save` archive (manifest.json, a config file, a file per
 * layer), as ggcr reads it except in which files decide (see `anyCompressed`): when a layer file is
 * compressed the layers are served as they are and a manifest is built by hashing each file once;
 * otherwise the layers are the uncompressed tars and are gzipped on the fly. Every read is checked
 * against the config's diff_ids.
 */
import type { Readable } from 'node:stream';
import { BadDocumentError, NotFoundError } from '../errors/index.ts';
import type { FileSource } from '../internal/archive/file-source.ts';
import { autoDecompress, detectCompression, MAGIC_LENGTH, type Compression } from '../internal/compression/index.ts';
import { lazy } from '../internal/lazy/index.ts';
import { DEFAULT_JOBS, mapLimit } from '../internal/limiter/index.ts';
import { MANIFEST_LIMIT } from '../internal/limit/index.ts';
import { SIZE_UNKNOWN, verifyOnce } from '../internal/verify/index.ts';
import { compressedToImage, uncompressedToImage } from '../partial/image.ts';
import type { CompressedImageCore, CompressedLayer, UncompressedImageCore, UncompressedLayer } from '../partial/cores.ts';
import * as types from '../types/index.ts';
import { parseConfigFile } from '../v1/config.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import { Hash, hasher } from '../v1/hash.ts';
import type { Image, StreamOptions } from '../v1/interfaces.ts';
import { parseManifest } from '../v1/manifest.ts';
import { classicManifest, type HashedLayer } from './classic-manifest.ts';
import type { SelectedEntry } from './classic-select.ts';
import { layerSourcesFor, type ClassicLayer } from './layer-sources.ts';
import { openVerified, requireFile } from './verified-file.ts';

/** Options for {@link classicImage}. */
export interface ClassicImageOptions {
  readonly signal?: AbortSignal;
}

/**
 * Reads the config of the chosen entry and checks every file it names is in the archive, then
 * returns the image (compressed or uncompressed, as the layer files are).
 */
export async function classicImage(source: FileSource, selected: SelectedEntry, options: ClassicImageOptions = {}): Promise<Image> {
  const { signal } = options;
  const { entry, position } = selected;
  const where = `manifest.json [${position}] of ${source.description}`;
  await requireFile(source, entry.Config, `${where}: Config`, signal);
  const sizes: number[] = [];
  for (const [i, name] of entry.Layers.entries()) sizes.push(await requireFile(source, name, `${where}: Layers[${i}]`, signal));
  const rawConfig = await source.readFile(entry.Config, { limit: MANIFEST_LIMIT, ...(signal ? { signal } : {}) });
  let diffIDs: readonly Hash[];
  try {
    diffIDs = parseConfigFile(rawConfig).rootfs.diff_ids;
  } catch (err) {
    throw new BadDocumentError(`config ${JSON.stringify(entry.Config)} of ${where}: ${(err as Error).message}`, '', { cause: err });
  }
  if (diffIDs.length !== entry.Layers.length) {
    throw new BadDocumentError(
      `${where} names ${entry.Layers.length} layer file(s) but its config ${JSON.stringify(entry.Config)} has ` +
        `${diffIDs.length} rootfs.diff_ids; the config may not describe a runnable image`,
    );
  }
  const layers = layerSourcesFor(entry, diffIDs, sizes, where);
  if (await anyCompressed(source, layers, signal)) {
    return compressedToImage(compressedCore(source, rawConfig, layers));
  }
  return uncompressedToImage(uncompressedCore(source, rawConfig, layers));
}

/**
 * Compression of a file from its first bytes: those the source recorded when it scanned the
 * archive if it offers them (a re-read stream would otherwise read the archive from its start
 * once per layer), else read from the file.
 */
async function sniff(source: FileSource, name: string, signal?: AbortSignal): Promise<Compression> {
  const opts = signal ? { signal } : {};
  if (source.head) return detectCompression(await source.head(name, opts));
  const stream = await source.open(name, opts);
  const head: Buffer[] = [];
  let have = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      head.push(chunk);
      have += chunk.length;
      if (have >= MAGIC_LENGTH) break;
    }
  } finally {
    stream.destroy();
  }
  return detectCompression(Buffer.concat(head));
}

/**
 * True when any layer file is compressed. ggcr peeks at the first layer file only
 * (`areLayersCompressed`, which errors on an image with no layers, so `Image` skips it then and
 * reads such an image as uncompressed, as we do) and applies the answer to every layer: a plain
 * base under gzip layers becomes an image whose "uncompressed" layers are gzip files that match
 * no diffID. We look at each file until one is compressed, so such an archive is served as stored
 * (the plain files labelled uncompressed, see classic-manifest.ts), every read checked.
 */
async function anyCompressed(source: FileSource, layers: readonly ClassicLayer[], signal?: AbortSignal): Promise<boolean> {
  for (const l of layers) {
    if ((await sniff(source, l.file, signal)) !== 'none') return true;
  }
  return false;
}

function describeLayer(l: ClassicLayer): string {
  return `layer ${l.index} (diffID ${l.diffID}) of ${l.where}`;
}

/** The uncompressed tar of a layer, checked against its diffID while it streams. */
async function verifiedTar(source: FileSource, l: ClassicLayer, options?: StreamOptions): Promise<Readable> {
  const file = await source.open(l.file, options?.signal ? { signal: options.signal } : {});
  const tar = await autoDecompress(file, options?.signal ? { signal: options.signal } : {});
  return verifyOnce(tar, { digest: l.diffID, size: SIZE_UNKNOWN, what: `${describeLayer(l)} (${JSON.stringify(l.file)}, uncompressed)` });
}

function uncompressedCore(source: FileSource, rawConfig: Buffer, layers: readonly ClassicLayer[]): UncompressedImageCore {
  return {
    rawConfigFile: async () => rawConfig,
    // ggcr's tarball images are Docker schema 2 whatever their layers.
    mediaType: async () => types.DockerManifestSchema2,
    async layerByDiffID(h: Hash): Promise<UncompressedLayer> {
      const l = layers.find((x) => x.diffID.equals(h));
      if (!l) throw new NotFoundError(`image in ${source.description} has no layer with diffID ${h}`);
      const { foreign } = l;
      const core: UncompressedLayer = {
        diffID: async () => l.diffID,
        // The config's diffID is trusted for the manifest, so every read must prove the file has it.
        uncompressed: (o?: StreamOptions) => verifiedTar(source, l, o),
        mediaType: async () => foreign?.mediaType ?? types.DockerLayer,
      };
      return foreign ? { ...core, descriptor: async () => foreign } : core;
    },
  };
}

function compressedCore(source: FileSource, rawConfig: Buffer, layers: readonly ClassicLayer[]): CompressedImageCore {
  const built = lazy(async () => {
    const hashed = await mapLimit(layers, DEFAULT_JOBS, (l, _i, signal) => hashLayer(source, l, signal));
    const raw = classicManifest(rawConfig, hashed);
    return { raw, manifest: parseManifest(raw) };
  });
  return {
    rawConfigFile: async () => rawConfig,
    rawManifest: async () => (await built()).raw,
    mediaType: async () => (await built()).manifest.mediaType ?? types.DockerManifestSchema2,
    async layerByDigest(h: Hash): Promise<CompressedLayer> {
      const { manifest } = await built();
      const i = manifest.layers.findIndex((d) => d.digest.equals(h));
      if (i < 0) throw new NotFoundError(`image in ${source.description} has no layer with digest ${h}`);
      const desc = manifest.layers[i]!;
      const l = layers[i]!;
      return {
        digest: async () => desc.digest,
        size: async () => desc.size,
        mediaType: async () => desc.mediaType,
        descriptor: async (): Promise<Descriptor> => desc,
        diffID: async () => l.diffID,
        compressed: (o?: StreamOptions) => openVerified(source, l.file, desc, describeLayer(l), o?.signal),
        uncompressed: (o?: StreamOptions) => verifiedTar(source, l, o),
      };
    },
  };
}

/** One pass over a layer file: its digest, size and compression; a foreign layer keeps its descriptor. */
async function hashLayer(source: FileSource, l: ClassicLayer, signal: AbortSignal): Promise<HashedLayer> {
  if (l.foreign) return { foreign: l.foreign };
  const stream = await source.open(l.file, { signal });
  const h = hasher(l.diffID.algorithm);
  let size = 0;
  let head = Buffer.alloc(0);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    h.update(chunk);
    size += chunk.length;
    if (head.length < MAGIC_LENGTH) head = Buffer.concat([head, chunk.subarray(0, MAGIC_LENGTH)]);
  }
  const digest = new Hash(l.diffID.algorithm, h.digest('hex'));
  if (l.stored && !l.stored.digest.equals(digest)) {
    throw new BadDocumentError(
      `LayerSources of ${describeLayer(l)} says the file has digest ${l.stored.digest}, but ${JSON.stringify(l.file)} hashes to ${digest}`,
    );
  }
  return { digest, size, compression: detectCompression(head) };
}
