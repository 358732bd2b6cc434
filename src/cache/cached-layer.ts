/**
 * @module The layers of a cache-wrapped image (ggcr's `cache.lazyLayer`): facts come from the
 * original layer; each stream is served from the cache when the entry is there and whole, and
 * otherwise read from the original through the cache so that the next read is a hit.
 */
import type { Readable } from 'node:stream';
import type { Hash } from '../v1/hash.ts';
import type { Layer, StreamOptions } from '../v1/interfaces.ts';
import { digestIsKnown } from '../partial/describe.ts';
import { WrappedLayer } from './wrapped-layer.ts';
import { isNotFound, isStoredLayer, type Cache } from './cache.ts';
import { countUncompressed } from './uncompressed-size.ts';
import { layerFromCachedBlob } from './cached-blob-layer.ts';

/** A cache hit: the entry's stream, and how to delete the entry should its bytes turn out bad. */
interface Hit {
  readonly stream: Readable;
  readonly discard: () => Promise<void>;
}

/** A layer whose streams go through `cache`. Construction does no I/O. */
export class CacheBackedLayer extends WrappedLayer {
  readonly #cache: Cache;

  constructor(inner: Layer, cache: Cache) {
    super(inner);
    this.#cache = cache;
  }

  override async compressed(options?: StreamOptions): Promise<Readable> {
    const digest = await this.inner.digest();
    const hit = await this.#fromCache(digest, 'compressed', options);
    if (hit) return hit.stream;
    return (await this.#cache.put(this.inner)).compressed(options);
  }

  override async uncompressed(options?: StreamOptions): Promise<Readable> {
    const diffID = await this.inner.diffID();
    const hit = await this.#fromCache(diffID, 'uncompressed', options);
    if (hit) return hit.stream;
    return (await this.#cache.put(await this.#tarSource(options))).uncompressed(options);
  }

  /**
   * Where a diffID miss reads the tar from: the compressed blob when the cache holds it, so a
   * layer already pulled is decompressed locally rather than downloaded a second time (ggcr goes
   * back to the source); else the original layer. A layer made from a tar is read from directly:
   * its digest would take a compression pass over the whole tar, and the fill reads it again.
   */
  async #tarSource(options: StreamOptions | undefined): Promise<Layer> {
    if (!digestIsKnown(this.inner)) return this.inner;
    const digest = await this.inner.digest();
    const blob = await this.#fromCache(digest, 'compressed', options);
    if (!blob) return this.inner;
    return layerFromCachedBlob(this.inner, digest, blob.stream, blob.discard);
  }

  /**
   * The tar's size: the layer's own answer when it has one, else the size of the tar cached by
   * diffID (a stat: reading and hashing it only to count it would read it twice, as a legacy
   * writer asks for the size and then the bytes), else one pass through the cache.
   */
  uncompressedSize(options: StreamOptions = {}): Promise<number> {
    return countUncompressed(this.inner, () => this.uncompressed(options), () => this.#storedSize(options));
  }

  async #storedSize(options: StreamOptions): Promise<number | undefined> {
    try {
      const cached = await this.#cache.get(await this.inner.diffID());
      return isStoredLayer(cached) ? await cached.storedSize(options) : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The cached stream for `h`, or undefined on a miss (a truncated entry counts as one). */
  async #fromCache(h: Hash, form: 'compressed' | 'uncompressed', options: StreamOptions | undefined): Promise<Hit | undefined> {
    let cached: Layer;
    try {
      cached = await this.#cache.get(h);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const byName = (): Promise<void> => this.#cache.delete(h).catch(() => {});
    if (!isStoredLayer(cached)) {
      return { stream: await (form === 'compressed' ? cached.compressed(options) : cached.uncompressed(options)), discard: byName };
    }
    // Deleting by name would also delete a good copy another reader renamed into place since.
    const discard = cached.discard ? cached.discard.bind(cached) : byName;
    try {
      // The manifest's size catches a truncated blob before a byte is served, so the caller
      // gets the layer from the source instead of an error at the end.
      const size = form === 'compressed' ? { size: await this.inner.size() } : {};
      return { stream: await cached.stored({ ...options, ...size }), discard };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
