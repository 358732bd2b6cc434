/**
 * @module A layer from a one-shot stream (ggcr's deprecated `tarball.LayerFromReader`): the stream
 * is spooled to a temp file, because a layer is read several times (digest, diffID, upload) and
 * holding it in memory is not an option. ggcr never removes its temp file; here it is removed by
 * `close()`, when the layer is garbage collected, or when the process exits.
 */
import type { Readable } from 'node:stream';
import { spoolToFile, type Spool } from '../internal/spool/index.ts';
import { ConsumedError } from '../errors/index.ts';
import type { MediaType } from '../types/index.ts';
import type { Hash } from '../v1/hash.ts';
import type { Layer, StreamOptions } from '../v1/interfaces.ts';
import { layerFromFile, type LayerFromFileOptions } from './layer-file.ts';
import { digestIsKnown } from '../partial/describe.ts';

/** A layer backed by a temp file that this process owns. */
export interface SpooledLayer extends Layer {
  /**
   * Removes the temp file. Streams already opened keep reading (the file is only unlinked); any
   * later call on the layer fails with `ConsumedError`. Safe to call more than once.
   */
  close(): Promise<void>;
}

/** A layer dropped without `close()` gives its file back when it is collected. */
const collected = new FinalizationRegistry<Spool>((spool) => {
  // Best effort: the system temp folder is the place for leftovers of a failed removal.
  spool.remove().catch(() => {});
});

/**
 * Spools `stream` (a tar, gzip or zstd layer) to a temp file in the system temp folder and returns
 * a layer over that file, as `layerFromFile` would (same options).
 *
 * Lifetime of the temp file: it exists from when this resolves until the first of `close()`, the
 * returned layer being garbage collected, or the process exiting normally (`process.exit()` or
 * an empty event loop; a fatal signal skips exit handlers). Keep the layer referenced, or call
 * `close()` yourself, for as long as anything may still read it — an image built from it, an
 * upload in flight. If spooling fails or `options.signal` aborts it, the partial file is removed
 * and the error is thrown.
 *
 * @example
 * const layer = await tarball.layerFromReader(req); // an HTTP body, a child process's stdout, …
 * try {
 *   await remote.writeLayer(repo, layer);
 * } finally {
 *   await layer.close();
 * }
 */
export async function layerFromReader(
  stream: Readable | AsyncIterable<Uint8Array>,
  options: LayerFromFileOptions = {},
): Promise<SpooledLayer> {
  const spool = await spoolToFile(stream, { prefix: 'containerregistry-layer-', fileName: 'layer', signal: options.signal });
  try {
    const spooledLayer = new SpooledFileLayer(await layerFromFile(spool.path, options), spool);
    collected.register(spooledLayer, spool, spooledLayer);
    return spooledLayer;
  } catch (err) {
    await spool.remove();
    throw err;
  }
}

class SpooledFileLayer implements SpooledLayer {
  readonly #layer: Layer;
  readonly #spool: Spool;
  #closed = false;

  constructor(layer: Layer, spool: Spool) {
    this.#layer = layer;
    this.#spool = spool;
  }

  #live(): Layer {
    if (this.#closed) {
      throw new ConsumedError(`layer spooled to ${this.#spool.path} was closed: its temp file is gone`);
    }
    return this.#layer;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    collected.unregister(this);
    await this.#spool.remove();
  }

  async digest(): Promise<Hash> {
    return this.#live().digest();
  }
  async diffID(): Promise<Hash> {
    return this.#live().diffID();
  }
  async size(): Promise<number> {
    return this.#live().size();
  }
  async mediaType(): Promise<MediaType> {
    return this.#live().mediaType();
  }
  /** Passed on from the file layer, so a cache does not compress the whole tar just to look it up. */
  digestKnown(): boolean {
    return digestIsKnown(this.#layer);
  }
  async compressed(options?: StreamOptions): Promise<Readable> {
    return this.#live().compressed(options);
  }
  async uncompressed(options?: StreamOptions): Promise<Readable> {
    return this.#live().uncompressed(options);
  }
}
