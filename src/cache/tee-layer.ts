/**
 * @module The layer `filesystemCache.put` returns: the original layer, except that reading its
 * compressed stream stores the blob under its digest and reading its uncompressed stream stores
 * the tar under its diffID, each committed only when read whole and verified.
 */
import type { Readable } from 'node:stream';
import type { Hash } from '../v1/hash.ts';
import type { Layer, StreamOptions } from '../v1/interfaces.ts';
import { WrappedLayer } from './wrapped-layer.ts';
import { SIZE_UNKNOWN } from '../internal/verify/index.ts';
import { withSignal } from '../internal/pipe/index.ts';
import { tempFileSink } from './temp-file-sink.ts';
import { countUncompressed } from './uncompressed-size.ts';
import { verifiedTee } from './verified-tee.ts';

/** Turns a hash into the entry's file name (differs on Windows, where `:` is not allowed). */
export type EntryName = (h: Hash) => string;

/** A layer whose streams are copied into the cache folder as they are read. */
export class TeeLayer extends WrappedLayer {
  readonly #dir: string;
  readonly #name: EntryName;

  constructor(inner: Layer, dir: string, name: EntryName) {
    super(inner);
    this.#dir = dir;
    this.#name = name;
  }

  override async compressed(options?: StreamOptions): Promise<Readable> {
    const [digest, size] = await Promise.all([this.inner.digest(), this.inner.size()]);
    return this.#tee(await this.inner.compressed(options), digest, size, `layer ${digest}`, options);
  }

  override async uncompressed(options?: StreamOptions): Promise<Readable> {
    const diffID = await this.inner.diffID();
    return this.#tee(await this.inner.uncompressed(options), diffID, SIZE_UNKNOWN, `uncompressed layer ${diffID}`, options);
  }

  /** The tar's size: the layer's own answer when it has one, else one pass that also fills the cache. */
  uncompressedSize(options: StreamOptions = {}): Promise<number> {
    return countUncompressed(this.inner, () => this.uncompressed(options));
  }

  #tee(source: Readable, h: Hash, size: number, what: string, options: StreamOptions | undefined): Readable {
    return withSignal(verifiedTee(source, () => tempFileSink(this.#dir, this.#name(h)), { digest: h, size, what }), options?.signal);
  }
}
