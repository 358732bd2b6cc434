/**
 * @module The `Cache` contract (ggcr's `cache.Cache`): a store of layers by hash that a wrapped
 * image consults before going to the source, and fills as the source is read.
 */
import type { Readable } from 'node:stream';
import { NotFoundError } from '../errors/index.ts';
import type { Hash } from '../v1/hash.ts';
import type { Layer, StreamOptions } from '../v1/interfaces.ts';

/**
 * A layer cache. Entries are keyed by a layer's digest (the compressed blob) or its diffID (the
 * uncompressed tar), whichever form was read through it.
 */
export interface Cache {
  /**
   * Hands back a layer to use instead of `layer`. Lazy caches store nothing yet: the returned
   * layer fills the cache as its `compressed()` or `uncompressed()` stream is read to the end.
   */
  put(layer: Layer): Promise<Layer>;
  /** The layer cached under `h`; rejects with `NotFoundError` (`ERR_NOT_FOUND`) when absent. */
  get(h: Hash): Promise<Layer>;
  /** Removes the entry under `h`; rejects with `NotFoundError` when there is none. */
  delete(h: Hash): Promise<void>;
}

/** Options of {@link StoredLayer.stored}. */
export interface StoredOptions extends StreamOptions {
  /**
   * The size the stored bytes must have. A cached file of another size is deleted and the call
   * rejects with `NotFoundError`, so a caller can fetch the layer afresh instead.
   */
  readonly size?: number;
}

/**
 * A cached layer that can give the bytes it was stored as: the blob whose digest is the hash it
 * was found under (compressed when that hash is a digest, the tar when it is a diffID). The image
 * wrapper reads these rather than `compressed()`, which for a tar stored by diffID would mean
 * compressing it again.
 */
export interface StoredLayer extends Layer {
  /** The stored bytes, verified against their hash while they stream. */
  stored(options?: StoredOptions): Promise<Readable>;
  /**
   * How many bytes were stored when the cache found the entry, without reading them (a tar's
   * size for `uncompressedSize`, which would otherwise read and hash the whole tar only to count
   * it). No second look at the entry: one gone since is found missing by the later `stored()`,
   * and a wrong size still fails that read.
   */
  storedSize(options?: StreamOptions): Promise<number>;
  /**
   * Deletes the entry if it is still the one this layer was found as; a fresh copy another
   * writer has put in its place since is left alone. For a caller that found the stored bytes
   * bad where the cache could not (a blob that fails to decompress). Without it, the caller
   * falls back to `Cache.delete`.
   */
  discard?(): Promise<void>;
}

/** True when `l` is a {@link StoredLayer}. */
export function isStoredLayer(l: Layer): l is StoredLayer {
  const s = l as Partial<StoredLayer>;
  return typeof s.stored === 'function' && typeof s.storedSize === 'function';
}

/** True when `err` is the "not in the cache" answer of `get`/`delete` (ggcr's `ErrNotFound`). */
export function isNotFound(err: unknown): boolean {
  return err instanceof NotFoundError;
}
