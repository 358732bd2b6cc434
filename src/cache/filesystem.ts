/**
 * @module A layer cache in a folder (ggcr's `cache.NewFilesystemCache`): one file per entry, named
 * `sha256:<hex>` (`sha256-<hex>` on Windows), holding the compressed blob when named by digest or
 * the uncompressed tar when named by diffID. Entries are written by tee-on-read through a temp
 * file renamed into place once verified; ggcr writes in place, so an interrupted read there
 * leaves a truncated entry, which this cache detects and deletes instead of serving.
 */
import { stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { NotFoundError } from '../errors/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Layer } from '../v1/interfaces.ts';
import type { Cache } from './cache.ts';
import { CachedFileLayer } from './cached-file-layer.ts';
import { discardIfSame } from './stored-file.ts';
import { TeeLayer, type EntryName } from './tee-layer.ts';

const EMPTY = Hash.of('');

/** The file name of the entry for `h` on this platform (ggcr's `cachepath`). */
export function entryName(h: Hash, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? `${h.algorithm}-${h.hex}` : h.toString();
}

class FilesystemCache implements Cache {
  readonly #dir: string;
  readonly #name: EntryName = (h) => entryName(h);

  constructor(dir: string) {
    this.#dir = dir;
  }

  async put(layer: Layer): Promise<Layer> {
    return new TeeLayer(layer, this.#dir, this.#name);
  }

  async get(h: Hash): Promise<Layer> {
    const path = join(this.#dir, this.#name(h));
    let st;
    try {
      st = await stat(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new NotFoundError(`layer ${h} is not in the cache ${this.#dir}`, { cause: err });
    }
    if (!st.isFile()) throw new NotFoundError(`cache entry ${path} is not a regular file`);
    // An empty entry is what an interrupted in-place write (ggcr's) leaves most often; no layer
    // blob is empty unless its hash says so.
    if (st.size === 0 && !h.equals(EMPTY)) {
      await discardIfSame(path, st);
      throw new NotFoundError(`cache entry ${path} was empty; it was deleted`);
    }
    return new CachedFileLayer(path, h, st);
  }

  async delete(h: Hash): Promise<void> {
    const path = join(this.#dir, this.#name(h));
    try {
      await unlink(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw new NotFoundError(`layer ${h} is not in the cache ${this.#dir}`, { cause: err });
    }
  }
}

/**
 * Returns a cache that keeps layers as files in `dir` (created, mode 0700, on first write).
 * `get` does no more than a `stat`; a cached file is verified against its name while it is read,
 * and deleted if it is truncated or corrupt.
 *
 * @example
 * const c = cache.filesystemCache(join(homedir(), '.cache', 'crane'));
 * const img = cache.image(await remote.image(ref), c);
 */
export function filesystemCache(dir: string): Cache {
  return new FilesystemCache(resolve(dir));
}
