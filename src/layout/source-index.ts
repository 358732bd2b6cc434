/**
 * @module Lazy views of an OCI layout read through a FileSource (ggcr's `layoutIndex` and
 * `layoutImage`): the root view over index.json, child indexes and images found by digest with
 * their media types checked, layers streamed from `blobs/` and verified (their tars against the
 * config's diff_ids too). The same code reads a layout folder, an OCI-layout tar and the OCI form
 * of a `docker save` archive (the tarball module, which chooses the image and asks for the
 * documents' own media types, see `SourceContext.mediaTypes`).
 */
import type { Readable } from 'node:stream';
import * as types from '../types/index.ts';
import { InvalidArgumentError, NotFoundError, UnexpectedMediaTypeError } from '../errors/index.ts';
import { Hash } from '../v1/hash.ts';
import { parseJSON } from '../v1/guard.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Image, ImageIndex, StreamOptions } from '../v1/interfaces.ts';
import { parseIndexManifest, parseManifest, type IndexManifest, type Manifest } from '../v1/manifest.ts';
import { compressedToImage } from '../partial/image.ts';
import { diffIDsLineUp } from '../partial/describe.ts';
import type { CompressedLayer } from '../partial/cores.ts';
import type { FileSource } from '../internal/archive/file-source.ts';
import { MANIFEST_LIMIT } from '../internal/limit/index.ts';
import { SIZE_UNKNOWN, verifyOnce } from '../internal/verify/index.ts';
import { autoDecompress } from '../internal/compression/index.ts';
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
  /** A child's descriptor as its parent gives it (with the media type the view reports); the root's from its own bytes. */
  descriptor(): Promise<Descriptor>;
}

/** Options for {@link rootIndex}. */
export interface RootIndexOptions {
  /** Stops reading index.json (and oci-layout); default the context's signal. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Also read `oci-layout` and refuse it unless it is JSON. The image-spec says a layout MUST have
   * one, but ggcr's layout reads a folder with index.json alone, so only readers of archives ask.
   */
  readonly requireLayoutFile?: boolean;
}

/**
 * The view of the layout's `index.json`, read and parsed once. NotFoundError when there is none;
 * a malformed file is a BadDocumentError naming it and the path in it. The one reader of
 * index.json for the layout and tarball modules alike.
 */
export async function rootIndex(ctx: SourceContext, options: RootIndexOptions = {}): Promise<LayoutIndex> {
  const { source } = ctx;
  const signal = options.signal ?? ctx.signal;
  const read = { limit: MANIFEST_LIMIT, ...(signal ? { signal } : {}) };
  // Read, not stat then read: over a folder a stat opens and checks the file as a read does.
  const readLayoutFile = async (name: string): Promise<Buffer> => {
    try {
      return await source.readFile(name, read);
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError(`${source.description} is not an OCI image layout: it has no ${name}`, { cause: err });
      throw err;
    }
  };
  if (options.requireLayoutFile) parseJSON(await readLayoutFile('oci-layout'), `oci-layout of ${source.description}`);
  return sourceIndex(ctx, await readLayoutFile('index.json'));
}

/**
 * Reads the OCI image layout held by `source` (typically an OCI-layout tar through the tar
 * FileSource) and returns the view of its index.json. index.json is read and checked now;
 * everything else when asked for. The source must also hold an `oci-layout` that is JSON, as the
 * image-spec says, as every tool that writes layout archives (podman, skopeo, buildkit, docker,
 * ctr) writes it, and as the tarball reader requires. A folder is read without one, as ggcr's
 * `layout.FromPath` reads it, through `layout.fromPath` / `LayoutPath`. NotFoundError when
 * either is missing, BadDocumentError when malformed.
 *
 * @example
 * const idx = await fromFileSource(await openTarSource('image.oci.tar'));
 * const img = await idx.image(); // the only entry
 */
export async function fromFileSource(source: FileSource, options: { signal?: AbortSignal } = {}): Promise<LayoutIndex> {
  return rootIndex({ source, signal: options.signal }, { requireLayoutFile: true });
}

/**
 * The view of an index document already read from `ctx.source` (index.json when `desc` is
 * absent, else the child `desc` describes), and already parsed when `parsed` is given (as the
 * tarball reader has it after checking the archive holds the whole index). Throws
 * BadDocumentError naming it when malformed.
 */
export function sourceIndex(ctx: SourceContext, raw: Buffer, desc?: Descriptor, parsed?: IndexManifest): LayoutIndex {
  if (parsed) return new SourceIndex(ctx, raw, parsed, desc);
  const name = desc ? `index ${whereIs(ctx, desc.digest)}` : `index.json of ${ctx.source.description}`;
  try {
    return new SourceIndex(ctx, raw, parseIndexManifest(raw), desc);
  } catch (err) {
    return inFile(err, name);
  }
}

/** Whether child `d` may be read as a `kind` (see `SourceContext.mediaTypes`). */
function readableAs(ctx: SourceContext, d: Descriptor, kind: 'image' | 'index'): boolean {
  if (kind === 'image' ? types.isImage(d.mediaType) : types.isIndex(d.mediaType)) return true;
  return ctx.mediaTypes === 'document' && !(kind === 'image' ? types.isIndex(d.mediaType) : types.isImage(d.mediaType));
}

/**
 * A child's descriptor as its view reports it: its parent's entry, with the media type the view
 * reports (see `SourceContext.mediaTypes`), so a push sends the type it describes the document as.
 */
function describedAs(desc: Descriptor, mediaType: string): Descriptor {
  return desc.mediaType === mediaType ? desc : { ...desc, mediaType };
}

class SourceIndex implements LayoutIndex {
  readonly #ctx: SourceContext;
  readonly #raw: Buffer;
  readonly #parsed: IndexManifest;
  readonly #mediaType: string;
  readonly #desc: Descriptor | undefined;
  readonly #name: string;

  constructor(ctx: SourceContext, raw: Buffer, parsed: IndexManifest, desc: Descriptor | undefined) {
    this.#ctx = ctx;
    this.#raw = raw;
    this.#parsed = parsed;
    this.#mediaType =
      ctx.mediaTypes === 'document'
        ? (parsed.mediaType ?? (desc?.mediaType || types.OCIImageIndex))
        : // ggcr reports the root as an OCI index whatever index.json says (image-spec: it is one).
          (desc?.mediaType ?? types.OCIImageIndex);
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

  async descriptor(): Promise<Descriptor> {
    if (this.#desc) return describedAs(this.#desc, this.#mediaType);
    return { mediaType: this.#mediaType, size: this.#raw.length, digest: Hash.of(this.#raw) };
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
    if (!readableAs(this.#ctx, d, 'image')) {
      throw new UnexpectedMediaTypeError(`${d.digest} in ${this.#name} is ${JSON.stringify(d.mediaType)}, not an image manifest`);
    }
    return sourceImage(this.#ctx, d);
  }

  async imageIndex(h?: Hash): Promise<LayoutIndex> {
    const d = this.#find(h);
    if (!readableAs(this.#ctx, d, 'index')) {
      throw new UnexpectedMediaTypeError(`${d.digest} in ${this.#name} is ${JSON.stringify(d.mediaType)}, not an image index`);
    }
    return sourceIndex(this.#ctx, await readDocument(this.#ctx, d, 'index'), d);
  }

  async blob(h: Hash, options: StreamOptions = {}): Promise<Readable> {
    const d = this.#parsed.manifests.find((x) => x.digest.equals(h));
    if (d) return openDescribed(this.#ctx, d, options.signal);
    return openBlob(this.#ctx, h, SIZE_UNKNOWN, options.signal);
  }
}

/**
 * A layer or config blob of a layout image: facts from the manifest, bytes verified on demand;
 * a layer's tar also against its diffID when `diffID` gives one (what the config promises).
 */
function sourceLayer(
  ctx: SourceContext,
  d: Descriptor,
  what: string,
  diffID?: () => Promise<Hash | undefined>,
): CompressedLayer & { exists(): Promise<boolean> } {
  const compressed = (o?: StreamOptions): Promise<Readable> => openDescribed(ctx, d, o?.signal, what);
  const layer: CompressedLayer & { exists(): Promise<boolean> } = {
    digest: async () => d.digest,
    size: async () => d.size,
    mediaType: async () => d.mediaType,
    descriptor: async () => d,
    compressed,
    exists: async () => d.data !== undefined || (await ctx.source.stat(blobName(d.digest))) !== undefined,
  };
  if (diffID) {
    layer.uncompressed = async (o?: StreamOptions): Promise<Readable> => {
      const want = await diffID();
      const tar = await autoDecompress(await compressed(o), o?.signal ? { signal: o.signal } : {});
      return want ? verifyOnce(tar, { digest: want, size: SIZE_UNKNOWN, what: `${what}, uncompressed` }) : tar;
    };
  }
  return layer;
}

/**
 * The image a layout descriptor names; nothing is read until asked for. `read` gives its manifest
 * when the caller has already read (verified) and parsed it, as the tarball reader has after
 * looking into a document whose entry has no media type: an opener archive is then not read again.
 */
export function sourceImage(ctx: SourceContext, desc: Descriptor, read?: { readonly raw: Buffer; readonly manifest: Manifest }): Image {
  const what = `image ${desc.digest} in ${ctx.source.description}`;
  const img: Image = compressedToImage({
    mediaType: async () =>
      ctx.mediaTypes === 'document' ? ((await img.manifest()).mediaType ?? (desc.mediaType || types.OCIManifestSchema1)) : desc.mediaType,
    descriptor: async () => describedAs(desc, await img.mediaType()),
    rawManifest: async () => read?.raw ?? readDocument(ctx, desc, 'manifest', `manifest of ${what}`),
    manifest: async () => {
      if (read) return read.manifest;
      const raw = await img.rawManifest();
      try {
        return parseManifest(raw);
      } catch (err) {
        return inFile(err, `manifest ${whereIs(ctx, desc.digest)}`);
      }
    },
    rawConfigFile: async () => readDocument(ctx, (await img.manifest()).config, 'config', `config of ${what}`),
    layerByDigest: async (h) => {
      const m = await img.manifest();
      const i = m.layers.findIndex((l) => l.digest.equals(h));
      if (i >= 0) {
        const d = m.layers[i]!;
        // Without diff_ids that line up there is nothing to check the tar against.
        const diffID = async () => {
          const cf = await img.configFile();
          return diffIDsLineUp(m, cf) ? cf.rootfs.diff_ids[i] : undefined;
        };
        return sourceLayer(ctx, d, `layer ${i} (${d.digest}) of ${what}`, diffID);
      }
      if (m.config.digest.equals(h)) return sourceLayer(ctx, m.config, `config of ${what}`);
      throw new NotFoundError(`image ${whereIs(ctx, desc.digest)} has no blob ${h}`);
    },
  });
  return img;
}
