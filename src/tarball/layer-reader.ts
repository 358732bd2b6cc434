/**
 * @module A layer from a one-shot stream (ggcr's deprecated `tarball.LayerFromReader`): the stream
 * is spooled to a temp file, because a layer is read several times (digest, diffID, upload) and
 * holding it in memory is not an option. ggcr never removes its temp file; here it is removed by
 * `close()`, when the layer is garbage collected, or when the process exits.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ConsumedError } from '../errors/index.ts';
import type { MediaType } from '../types/index.ts';
import type { Hash } from '../v1/hash.ts';
import type { Layer, StreamOptions } from '../v1/interfaces.ts';
import { layerFromFile, type LayerFromFileOptions } from './layer-file.ts';

/** A layer backed by a temp file that this process owns. */
export interface SpooledLayer extends Layer {
  /**
   * Removes the temp file. Streams already opened keep reading (the file is only unlinked); any
   * later call on the layer fails with `ConsumedError`. Safe to call more than once.
   */
  close(): Promise<void>;
}

/** Temp files alive in this process, removed at exit if nobody closed them. */
const spooled = new Set<string>();
let exitHookInstalled = false;

function track(path: string): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // 'exit' handlers must be synchronous. A process killed by a signal it does not handle skips
    // them; its temp files stay in the system temp folder, named containerregistry-layer-*.
    process.once('exit', () => {
      for (const p of spooled) rmSync(p, { force: true });
    });
  }
  spooled.add(path);
}

/** A layer dropped without `close()` gives its file back when it is collected. */
const collected = new FinalizationRegistry<string>((path) => {
  if (!spooled.delete(path)) return;
  rm(path, { force: true }).catch(() => {
    // Best effort: the exit hook no longer knows the file, but the system temp folder is the
    // place for such leftovers.
  });
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
  const path = join(tmpdir(), `containerregistry-layer-${randomBytes(8).toString('hex')}`);
  track(path);
  try {
    await pipeline(stream, createWriteStream(path, { flags: 'wx', mode: 0o600 }), options.signal ? { signal: options.signal } : {});
    const layer = await layerFromFile(path, options);
    const spooledLayer = new SpooledFileLayer(layer, path);
    collected.register(spooledLayer, path, spooledLayer);
    return spooledLayer;
  } catch (err) {
    spooled.delete(path);
    await rm(path, { force: true });
    throw err;
  }
}

class SpooledFileLayer implements SpooledLayer {
  readonly #layer: Layer;
  readonly #path: string;
  #closed = false;

  constructor(layer: Layer, path: string) {
    this.#layer = layer;
    this.#path = path;
  }

  #live(): Layer {
    if (this.#closed) {
      throw new ConsumedError(`layer spooled to ${this.#path} was closed: its temp file is gone`);
    }
    return this.#layer;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    collected.unregister(this);
    spooled.delete(this.#path);
    await rm(this.#path, { force: true });
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
  async compressed(options?: StreamOptions): Promise<Readable> {
    return this.#live().compressed(options);
  }
  async uncompressed(options?: StreamOptions): Promise<Readable> {
    return this.#live().uncompressed(options);
  }
}
