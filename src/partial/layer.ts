/**
 * @module Full layers from minimal cores: `compressedToLayer` (decompress on demand, diffID by
 * hashing the tar) and `uncompressedToLayer` (compress on demand, digest after one pass).
 */
import type { Readable } from 'node:stream';
import * as types from '../types/index.ts';
import type { Hash } from '../v1/hash.ts';
import { Hash as HashClass } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Layer, StreamOptions } from '../v1/interfaces.ts';
import { lazy } from '../internal/lazy/index.ts';
import { pipe } from '../internal/pipe/index.ts';
import { autoDecompress, compressStream, type Compression } from '../internal/compression/index.ts';
import type { CompressedLayer, UncompressedLayer } from './cores.ts';

/** Layer options shared by the uncompressed → compressed path. */
export interface CompressOptions {
  /** Codec for the compressed form; default follows the media type (zstd, none) else gzip. */
  readonly compression?: Compression;
  /** Codec level; default 1, ggcr's BestSpeed: layers are compressed on the fly. */
  readonly level?: number;
}

/** The codec a layer of this media type is stored with. */
export function compressionForMediaType(mt: string): Compression {
  if (types.isZstdLayer(mt)) return 'zstd';
  if (types.isUncompressedLayer(mt)) return 'none';
  return 'gzip';
}

function isFullLayer(x: object): x is Layer {
  const l = x as Partial<Layer>;
  return ['digest', 'diffID', 'compressed', 'uncompressed', 'size', 'mediaType'].every(
    (m) => typeof (l as Record<string, unknown>)[m] === 'function',
  );
}

/** Returns a full `Layer` over a compressed core; a core that is already a full layer is returned as is. */
export function compressedToLayer(core: CompressedLayer): Layer {
  if (isFullLayer(core)) return core;
  return new CompressedLayerView(core);
}

class CompressedLayerView implements Layer {
  readonly #core: CompressedLayer;
  readonly #diffID: () => Promise<Hash>;

  constructor(core: CompressedLayer) {
    this.#core = core;
    this.#diffID = lazy(async () => {
      if (this.#core.diffID) return this.#core.diffID();
      return (await HashClass.fromStream(await this.uncompressed())).hash;
    });
  }

  /** Where a registry-backed layer can be mounted from (see `CompressedLayer.mountFrom`). */
  get mountFrom(): CompressedLayer['mountFrom'] {
    return this.#core.mountFrom;
  }
  digest(): Promise<Hash> {
    return this.#core.digest();
  }
  size(): Promise<number> {
    return this.#core.size();
  }
  mediaType(): Promise<string> {
    return this.#core.mediaType();
  }
  compressed(options?: StreamOptions): Promise<Readable> {
    return this.#core.compressed(options);
  }
  diffID(): Promise<Hash> {
    return this.#diffID();
  }
  async uncompressed(options?: StreamOptions): Promise<Readable> {
    if (this.#core.uncompressed) return this.#core.uncompressed(options);
    // Sniff the bytes rather than trust the media type: registries mislabel (ggcr does the same).
    return autoDecompress(await this.#core.compressed(options));
  }
  descriptor(): Promise<Descriptor> {
    return this.#core.descriptor ? this.#core.descriptor() : describe(this);
  }
}

async function describe(l: Layer): Promise<Descriptor> {
  const [mediaType, size, digest] = await Promise.all([l.mediaType(), l.size(), l.digest()]);
  return { mediaType, size, digest };
}

/**
 * Returns a full `Layer` over an uncompressed core. The compressed digest and size need one full
 * compression pass (memoised); `compressed()` compresses again on each call, which gives the
 * same bytes because the codecs are deterministic for a given level.
 */
export function uncompressedToLayer(core: UncompressedLayer, options: CompressOptions = {}): Layer {
  if (isFullLayer(core)) return core;
  return new UncompressedLayerView(core, options);
}

class UncompressedLayerView implements Layer {
  readonly #core: UncompressedLayer;
  readonly #options: CompressOptions;
  readonly #computed: () => Promise<{ hash: Hash; size: number }>;
  #compressedOnce = false;

  constructor(core: UncompressedLayer, options: CompressOptions) {
    this.#core = core;
    this.#options = options;
    this.#computed = lazy(async () => {
      const computed = await HashClass.fromStream(await this.compressed());
      this.#compressedOnce = true;
      return computed;
    });
  }

  /** The digest-is-known marker (see `digestIsKnown` in partial/describe.ts): only once a compression pass has run. */
  digestKnown(): boolean {
    return this.#compressedOnce;
  }

  async #compression(): Promise<Compression> {
    return this.#options.compression ?? compressionForMediaType(await this.#core.mediaType());
  }

  diffID(): Promise<Hash> {
    return this.#core.diffID();
  }
  uncompressed(options?: StreamOptions): Promise<Readable> {
    return this.#core.uncompressed(options);
  }
  mediaType(): Promise<string> {
    return this.#core.mediaType();
  }
  async digest(): Promise<Hash> {
    if ((await this.#compression()) === 'none') return this.#core.diffID();
    return (await this.#computed()).hash;
  }
  async size(): Promise<number> {
    return (await this.#computed()).size;
  }
  async compressed(options?: StreamOptions): Promise<Readable> {
    const c = await this.#compression();
    // The codec first: if it cannot be made (a bad level, zstd without its native codec), no
    // source has been opened to leak.
    const codec = c === 'none' ? undefined : compressStream(c, { level: this.#options.level ?? 1 });
    const src = await this.#core.uncompressed(options);
    return codec ? pipe(src, codec) : src;
  }
  descriptor(): Promise<Descriptor> {
    return this.#core.descriptor ? this.#core.descriptor() : describe(this);
  }
}
