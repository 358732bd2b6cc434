/**
 * @module A read-only view of a cache (ggcr's `cache.ReadOnly`): lookups are served, writes are
 * not made. Useful to share a warm cache without letting a run change it.
 */
import type { Hash } from '../v1/hash.ts';
import type { Layer } from '../v1/interfaces.ts';
import type { Cache } from './cache.ts';

class ReadOnlyCache implements Cache {
  readonly #inner: Cache;

  constructor(inner: Cache) {
    this.#inner = inner;
  }

  /** Returns `layer` itself: reading it stores nothing. */
  async put(layer: Layer): Promise<Layer> {
    return layer;
  }
  get(h: Hash): Promise<Layer> {
    return this.#inner.get(h);
  }
  /** Does nothing, as ggcr's does; the entry stays. */
  async delete(_h: Hash): Promise<void> {}
}

/**
 * Returns `cache` with `put` and `delete` turned into no-ops: `put` hands the layer back
 * unwrapped, so reading it writes nothing.
 *
 * @example
 * const img = cache.image(base, cache.readOnly(cache.filesystemCache(dir)));
 */
export function readOnly(cache: Cache): Cache {
  return new ReadOnlyCache(cache);
}
