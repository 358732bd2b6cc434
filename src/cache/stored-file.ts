/**
 * @module Reading a cached file back: opened once, checked against the size the caller expects,
 * verified against the hash it is named by while it streams, and deleted when it turns out
 * truncated or corrupt, so a bad entry is served at most once and then fetched afresh.
 */
import type { Stats } from 'node:fs';
import { lstat, open, unlink } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { NotFoundError } from '../errors/index.ts';
import type { Hash } from '../v1/hash.ts';
import { pipe, withSignal } from '../internal/pipe/index.ts';
import { verifyStream } from '../internal/verify/index.ts';
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

/**
 * Opens the cached file `path`, which must hold the bytes whose digest is `h`. Rejects with
 * `NotFoundError` when it is missing, not a regular file, or (the file is then deleted) not of
 * `options.size` bytes. The stream fails with `DigestMismatchError` at its end when the bytes do
 * not match `h` (`SizeMismatchError` if the file changed size while read); the file has been
 * deleted by then. The stream is marked verified (`verifiedAs`), so a verifying sink further
 * down (a layout, a tarball) does not hash the bytes again.
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
  // Deleted before the reader hears of the mismatch, so a retry after the error fetches afresh.
  const verify = verifyStream({ digest: h, size: st.size, what, beforeFail: () => discardIfSame(path, seen) });
  return withSignal(pipe(file, verify), options.signal);
}
