/**
 * @module Cache-wrapped images and indexes (ggcr's `cache.Image` and `cache.ImageIndex`): the
 * same manifests and configs, with layers read from the cache when present and stored in it as
 * they are read from the original.
 */
import type { Hash } from '../v1/hash.ts';
import type { ConfigFile } from '../v1/config.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Readable } from 'node:stream';
import type { Image, ImageIndex, Layer, StreamOptions } from '../v1/interfaces.ts';
import { NotFoundError } from '../errors/index.ts';
import type { IndexManifest, Manifest } from '../v1/manifest.ts';
import { descriptor } from '../partial/describe.ts';
import { lazy } from '../internal/lazy/index.ts';
import type { Cache } from './cache.ts';
import { CacheBackedLayer } from './cached-layer.ts';

class CachedImage implements Image {
  readonly #inner: Image;
  readonly #cache: Cache;
  readonly layers: () => Promise<readonly Layer[]>;

  constructor(inner: Image, cache: Cache) {
    this.#inner = inner;
    this.#cache = cache;
    this.layers = lazy(async () => (await inner.layers()).map((l) => new CacheBackedLayer(l, cache)));
  }

  mediaType(): Promise<string> {
    return this.#inner.mediaType();
  }
  size(): Promise<number> {
    return this.#inner.size();
  }
  configName(): Promise<Hash> {
    return this.#inner.configName();
  }
  configFile(): Promise<ConfigFile> {
    return this.#inner.configFile();
  }
  rawConfigFile(): Promise<Buffer> {
    return this.#inner.rawConfigFile();
  }
  digest(): Promise<Hash> {
    return this.#inner.digest();
  }
  manifest(): Promise<Manifest> {
    return this.#inner.manifest();
  }
  rawManifest(): Promise<Buffer> {
    return this.#inner.rawManifest();
  }
  descriptor(): Promise<Descriptor> {
    return descriptor(this.#inner);
  }
  async layerByDigest(h: Hash): Promise<Layer> {
    return new CacheBackedLayer(await this.#inner.layerByDigest(h), this.#cache);
  }
  async layerByDiffID(h: Hash): Promise<Layer> {
    return new CacheBackedLayer(await this.#inner.layerByDiffID(h), this.#cache);
  }
}

class CachedIndex implements ImageIndex {
  readonly #inner: ImageIndex;
  readonly #cache: Cache;

  constructor(inner: ImageIndex, cache: Cache) {
    this.#inner = inner;
    this.#cache = cache;
  }

  mediaType(): Promise<string> {
    return this.#inner.mediaType();
  }
  digest(): Promise<Hash> {
    return this.#inner.digest();
  }
  size(): Promise<number> {
    return this.#inner.size();
  }
  indexManifest(): Promise<IndexManifest> {
    return this.#inner.indexManifest();
  }
  rawManifest(): Promise<Buffer> {
    return this.#inner.rawManifest();
  }
  descriptor(): Promise<Descriptor> {
    return descriptor(this.#inner);
  }
  /** Any blob of the index (children of unknown types), when the wrapped index offers it. */
  blob(h: Hash, options?: StreamOptions): Promise<Readable> {
    const inner = this.#inner as ImageIndex & { blob?: (h: Hash, o?: StreamOptions) => Promise<Readable> };
    if (typeof inner.blob !== 'function') return Promise.reject(new NotFoundError(`the wrapped index offers no blob access (asked for ${h})`));
    return inner.blob(h, options);
  }
  async image(h: Hash): Promise<Image> {
    return new CachedImage(await this.#inner.image(h), this.#cache);
  }
  async imageIndex(h: Hash): Promise<ImageIndex> {
    return new CachedIndex(await this.#inner.imageIndex(h), this.#cache);
  }
}

/**
 * Wraps `img` so that its layers come from `cache` when present and are stored in it as they
 * are read (ggcr's `cache.Image`). Manifest and config are the original's; nothing is read
 * until asked for.
 *
 * @example
 * const img = cache.image(await remote.image(ref), cache.filesystemCache(dir));
 * await layout.appendImage(img); // second run: layers read from dir
 */
export function image(img: Image, cache: Cache): Image {
  return new CachedImage(img, cache);
}

/**
 * Wraps `idx` so that every image below it is wrapped with {@link image} (ggcr's
 * `cache.ImageIndex`).
 *
 * @example
 * const idx = cache.imageIndex(await remote.index(ref), c);
 */
export function imageIndex(idx: ImageIndex, cache: Cache): ImageIndex {
  return new CachedIndex(idx, cache);
}
