/**
 * @module The layer `filesystemCache.get` returns: a file holding either a compressed blob (found
 * by digest) or an uncompressed tar (found by diffID). Which one is sniffed from its first bytes
 * on first use; the rest is derived as for any layer from a file (ggcr's `tarball.LayerFromFile`).
 */
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { NotFoundError } from '../errors/index.ts';
import * as types from '../types/index.ts';
import type { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Layer, StreamOptions } from '../v1/interfaces.ts';
import { lazy } from '../internal/lazy/index.ts';
import { detectCompression, MAGIC_LENGTH, type Compression } from '../internal/compression/index.ts';
import { compressedToLayer, uncompressedToLayer } from '../partial/layer.ts';
import type { StoredLayer, StoredOptions } from './cache.ts';
import { discardIfSame, openStored } from './stored-file.ts';

async function sniff(path: string, h: Hash): Promise<{ compression: Compression; size: number }> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new NotFoundError(`layer ${h} is no longer in the cache (${path})`, { cause: err });
  }
  try {
    const head = Buffer.alloc(MAGIC_LENGTH);
    const { bytesRead } = await fh.read(head, 0, MAGIC_LENGTH, 0);
    return { compression: detectCompression(head.subarray(0, bytesRead)), size: (await fh.stat()).size };
  } finally {
    await fh.close();
  }
}

/** A cached file as a layer. Construction does no I/O. */
export class CachedFileLayer implements StoredLayer {
  readonly #path: string;
  readonly #hash: Hash;
  readonly #found: Stats;
  readonly #view: () => Promise<Layer>;

  /** `found` is the file's `stat` when the cache found it: its size, and what `discard` compares against. */
  constructor(path: string, h: Hash, found: Stats) {
    this.#path = path;
    this.#hash = h;
    this.#found = found;
    this.#view = lazy(async () => {
      const { compression, size } = await sniff(path, h);
      if (compression === 'none') {
        // A tar stored by diffID; its compressed form is made on demand, gzip at level 1, as
        // ggcr's LayerFromFile does for an uncompressed file.
        return uncompressedToLayer({
          diffID: async () => h,
          uncompressed: (o?: StreamOptions) => this.stored(o),
          mediaType: async () => types.DockerLayer,
        });
      }
      return compressedToLayer({
        digest: async () => h,
        size: async () => size,
        compressed: (o?: StreamOptions) => this.stored(o),
        mediaType: async () => (compression === 'zstd' ? types.OCILayerZStd : types.DockerLayer),
      });
    });
  }

  /** Where the entry lives. */
  get path(): string {
    return this.#path;
  }

  stored(options?: StoredOptions): Promise<Readable> {
    return openStored(this.#path, this.#hash, options);
  }
  /** The size `get`'s stat saw. */
  async storedSize(options?: StreamOptions): Promise<number> {
    options?.signal?.throwIfAborted();
    return this.#found.size;
  }
  discard(): Promise<void> {
    return discardIfSame(this.#path, this.#found);
  }
  async digest(): Promise<Hash> {
    return (await this.#view()).digest();
  }
  async diffID(): Promise<Hash> {
    return (await this.#view()).diffID();
  }
  async size(): Promise<number> {
    return (await this.#view()).size();
  }
  async mediaType(): Promise<string> {
    return (await this.#view()).mediaType();
  }
  async compressed(options?: StreamOptions): Promise<Readable> {
    return (await this.#view()).compressed(options);
  }
  async uncompressed(options?: StreamOptions): Promise<Readable> {
    return (await this.#view()).uncompressed(options);
  }
  async descriptor(): Promise<Descriptor> {
    const l = await this.#view();
    const [mediaType, size, digest] = await Promise.all([l.mediaType(), l.size(), l.digest()]);
    return { mediaType, size, digest };
  }
}
