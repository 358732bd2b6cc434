/**
 * @module Reading a cached file back: opened once, checked against the size the caller expects,
 * verified against the hash it is named by while it streams, and deleted when it turns out
 * truncated or corrupt, so a bad entry is served at most once and then fetched afresh.
 */
import type { Stats } from 'node:fs';
import { lstat, open, unlink } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { Hash as NodeHash } from 'node:crypto';
import { DigestMismatchError, NotFoundError, SizeMismatchError } from '../errors/index.ts';
import { Hash, hasher } from '../v1/hash.ts';
import { pipe, withSignal } from '../internal/pipe/index.ts';
import type { StoredOptions } from './cache.ts';

/** Read chunk size: large reads of a local file are cheaper per byte (DESIGN: 1 MiB chunks). */
const READ_CHUNK = 1024 * 1024;

/**
 * Deletes `path` if it is still the file described by `seen`, as far as it can: a writer that
 * renamed a fresh copy into place meanwhile has replaced the bad one, and its good file is left
 * alone; a failure to delete (a read-only folder) changes nothing for the caller, who fetches
 * the layer afresh either way.
 */
export async function discardIfSame(path: string, seen: Stats): Promise<void> {
  try {
    const now = await lstat(path);
    if (now.ino === seen.ino && now.dev === seen.dev) await unlink(path);
  } catch {
    // best effort, see above
  }
}

class StoredVerifier extends Transform {
  readonly #expected: Hash;
  readonly #size: number;
  readonly #what: string;
  readonly #onCorrupt: () => Promise<void>;
  readonly #hasher: NodeHash;
  #seen = 0;

  constructor(expected: Hash, size: number, what: string, onCorrupt: () => Promise<void>) {
    super();
    this.#expected = expected;
    this.#size = size;
    this.#what = what;
    this.#onCorrupt = onCorrupt;
    this.#hasher = hasher(expected.algorithm);
  }

  #fail(err: Error, done: TransformCallback): void {
    // Deleted before the reader hears of it, so a retry after the error fetches afresh.
    this.#onCorrupt().then(
      () => done(err),
      () => done(err),
    );
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.#size) {
      const msg = `size mismatch for ${this.#what}: the file grew past ${this.#size} bytes while being read`;
      return this.#fail(new SizeMismatchError(msg, this.#size, this.#seen), done);
    }
    this.#hasher.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.#seen !== this.#size) {
      const msg = `size mismatch for ${this.#what}: expected ${this.#size} bytes, read ${this.#seen}`;
      return this.#fail(new SizeMismatchError(msg, this.#size, this.#seen), done);
    }
    const actual = new Hash(this.#expected.algorithm, this.#hasher.digest('hex'));
    if (!actual.equals(this.#expected)) {
      const msg = `digest mismatch for ${this.#what}: the file holds ${actual}; it was deleted from the cache`;
      return this.#fail(new DigestMismatchError(msg, this.#expected.toString(), actual.toString()), done);
    }
    done();
  }
}

/**
 * Opens the cached file `path`, which must hold the bytes whose digest is `h`. Rejects with
 * `NotFoundError` when it is missing, not a regular file, or (the file is then deleted) not of
 * `options.size` bytes. The stream fails with `DigestMismatchError` at its end when the bytes do
 * not match `h`; the file has been deleted by then.
 */
export async function openStored(path: string, h: Hash, options: StoredOptions = {}): Promise<Readable> {
  options.signal?.throwIfAborted();
  const what = `cached ${h} (${path})`;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`layer ${h} is not in the cache (${path})`, { cause: err });
    throw err;
  }
  let st: Stats;
  try {
    st = await fh.stat();
    if (!st.isFile()) throw new NotFoundError(`${what} is not a regular file`);
    if (options.size !== undefined && st.size !== options.size) {
      await discardIfSame(path, st);
      throw new NotFoundError(`${what} has ${st.size} bytes, expected ${options.size}; it was deleted from the cache`);
    }
  } catch (err) {
    await fh.close();
    throw err;
  }
  const file = fh.createReadStream({ highWaterMark: READ_CHUNK });
  const seen = st;
  return withSignal(pipe(file, new StoredVerifier(h, st.size, what, () => discardIfSame(path, seen))), options.signal);
}
