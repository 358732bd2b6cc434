/**
 * @module Lazy views of an OCI layout read through a FileSource (ggcr's `layoutIndex` and
 * `layoutImage`): the root view over index.json, child indexes and images found by digest with
 * their media types checked, layers streamed from `blobs/` and verified. The same code reads a
 * layout folder and an OCI-layout tar.
 */
import type { Readable } from 'node:stream';
import * as types from '../types/index.ts';
import { InvalidArgumentError, NotFoundError, UnexpectedMediaTypeError } from '../errors/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Image, ImageIndex, StreamOptions } from '../v1/interfaces.ts';
import { parseIndexManifest, type IndexManifest } from '../v1/manifest.ts';
import { compressedToImage } from '../partial/image.ts';
import type { CompressedLayer } from '../partial/cores.ts';
import type { FileSource } from '../internal/archive/file-source.ts';
import { MANIFEST_LIMIT } from '../internal/limit/index.ts';
import { SIZE_UNKNOWN } from '../internal/verify/index.ts';
import { blobName } from './blob-writer.ts';
import { inFile, openDescribed, openBlob, readDocument, whereIs, type SourceContext } from './source-blobs.ts';

/**
 * An index read from a layout. Beyond `ImageIndex`: `image()` / `imageIndex()` without a digest
 * give the only entry (ggcr's zero hash), and `blob(h)` streams any blob of the layout (how
 * children of unknown media types are copied).
 */
export interface LayoutIndex extends ImageIndex {
  image(h?: Hash): Promise<Image>;
  imageIndex(h?: Hash): Promise<LayoutIndex>;
  /** Streams blob `h`, verified (against its size when this index describes it). */
  blob(h: Hash, options?: StreamOptions): Promise<Readable>;
}

/** The layout's `index.json`, parsed; a malformed file is a BadDocumentError naming it and the path in it. */
async function readRootIndex(ctx: SourceContext): Promise<{ raw: Buffer; parsed: IndexManifest }> {
  const { source, signal } = ctx;
  const info = await source.stat('index.json', signal ? { signal } : {});
  if (!info) {
    throw new NotFoundError(`${source.description} is not an OCI image layout: it has no index.json`);
  }
  const raw = await source.readFile('index.json', { limit: MANIFEST_LIMIT, ...(signal ? { signal } : {}) });
  try {
    return { raw, parsed: parseIndexManifest(raw) };
  } catch (err) {
    return inFile(err, `index.json of ${source.description}`);
  }
}

/**
 * Reads the OCI image layout held by `source` (a folder through `dirSource`, an OCI-layout tar
 * through the tar FileSource) and returns the view of its index.json. index.json is read and
 * checked now; everything else when asked for.
 *
 * @example
 * const idx = await fromFileSource(await openTarSource('image.oci.tar'));
 * const img = await idx.image(); // the only entry
 */
export async function fromFileSource(source: FileSource, options: { signal?: AbortSignal } = {}): Promise<LayoutIndex> {
  const ctx: SourceContext = { source, signal: options.signal };
  const { raw, parsed } = await readRootIndex(ctx);
  // ggcr reports the root as an OCI index whatever index.json says (image-spec: it is one).
  return new SourceIndex(ctx, raw, parsed, types.OCIImageIndex, undefined);
}

class SourceIndex implements LayoutIndex {
  readonly #ctx: SourceContext;
  readonly #raw: Buffer;
  readonly #parsed: IndexManifest;
  readonly #mediaType: string;
  readonly #desc: Descriptor | undefined;
  readonly #name: string;

  constructor(ctx: SourceContext, raw: Buffer, parsed: IndexManifest, mediaType: string, desc: Descriptor | undefined) {
    this.#ctx = ctx;
    this.#raw = raw;
    this.#parsed = parsed;
    this.#mediaType = mediaType;
    this.#desc = desc;
    this.#name = desc ? `index ${whereIs(ctx, desc.digest)}` : `index.json of ${ctx.source.description}`;
  }

  async mediaType(): Promise<string> {
    return this.#mediaType;
  }
  async digest(): Promise<Hash> {
    return this.#desc?.digest ?? Hash.of(this.#raw);
  }
  async size(): Promise<number> {
    return this.#raw.length;
  }
  async rawManifest(): Promise<Buffer> {
    return this.#raw;
  }
  async indexManifest(): Promise<IndexManifest> {
    return this.#parsed;
  }

  /** Only child indexes know a descriptor (their parent's); the root is described by its bytes. */
  get descriptor(): (() => Promise<Descriptor>) | undefined {
    const d = this.#desc;
    return d ? async () => d : undefined;
  }

  #find(h: Hash | undefined): Descriptor {
    const all = this.#parsed.manifests;
    if (h === undefined) {
      if (all.length !== 1) {
        throw new InvalidArgumentError(`${this.#name} has ${all.length} entries; name the digest of the one wanted`);
      }
      return all[0]!;
    }
    const d = all.find((x) => x.digest.equals(h));
    if (!d) throw new NotFoundError(`${this.#name} has no entry ${h}`);
    return d;
  }

  async image(h?: Hash): Promise<Image> {
    const d = this.#find(h);
    if (!types.isImage(d.mediaType)) {
      throw new UnexpectedMediaTypeError(`${d.digest} in ${this.#name} is ${JSON.stringify(d.mediaType)}, not an image manifest`);
    }
    return sourceImage(this.#ctx, d);
  }

  async imageIndex(h?: Hash): Promise<LayoutIndex> {
    const d = this.#find(h);
    if (!types.isIndex(d.mediaType)) {
      throw new UnexpectedMediaTypeError(`${d.digest} in ${this.#name} is ${JSON.stringify(d.mediaType)}, not an image index`);
    }
    const raw = await readDocument(this.#ctx, d, 'index');
    let parsed: IndexManifest;
    try {
      parsed = parseIndexManifest(raw);
    } catch (err) {
      return inFile(err, `index ${whereIs(this.#ctx, d.digest)}`);
    }
    return new SourceIndex(this.#ctx, raw, parsed, d.mediaType, d);
  }

  async blob(h: Hash, options: StreamOptions = {}): Promise<Readable> {
    const d = this.#parsed.manifests.find((x) => x.digest.equals(h));
    if (d) return openDescribed(this.#ctx, d, options.signal);
    return openBlob(this.#ctx, h, SIZE_UNKNOWN, options.signal);
  }
}

/** A layer or config blob of a layout image: facts from the manifest, bytes verified on demand. */
function sourceLayer(ctx: SourceContext, d: Descriptor): CompressedLayer & { exists(): Promise<boolean> } {
  return {
    digest: async () => d.digest,
    size: async () => d.size,
    mediaType: async () => d.mediaType,
    descriptor: async () => d,
    compressed: (o?: StreamOptions) => openDescribed(ctx, d, o?.signal),
    exists: async () => d.data !== undefined || (await ctx.source.stat(blobName(d.digest))) !== undefined,
  };
}

/** The image a layout descriptor names; nothing is read until asked for. */
export function sourceImage(ctx: SourceContext, desc: Descriptor): Image {
  const img: Image = compressedToImage({
    mediaType: async () => desc.mediaType,
    descriptor: async () => desc,
    rawManifest: () => readDocument(ctx, desc, 'manifest'),
    rawConfigFile: async () => readDocument(ctx, (await img.manifest()).config, 'config'),
    layerByDigest: async (h) => {
      const m = await img.manifest();
      const d = m.layers.find((l) => l.digest.equals(h)) ?? (m.config.digest.equals(h) ? m.config : undefined);
      if (!d) throw new NotFoundError(`image ${whereIs(ctx, desc.digest)} has no blob ${h}`);
      return sourceLayer(ctx, d);
    },
  });
  return img;
}
