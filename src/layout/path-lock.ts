/**
 * @module In-process locks per layout folder. index.json is read, changed and rewritten under an
 * exclusive lock, so concurrent appends never lose an entry; blob writers share a lock that
 * garbage collection takes exclusively, so a collection never deletes the blobs of an image that
 * is being appended. (Other processes are not covered, as in ggcr.)
 */
import { resolve } from 'node:path';
import { KeyedLock } from '../internal/keyed-lock/index.ts';

// Per process, not per LayoutPath: two LayoutPaths on one folder must still take turns.
const blobLocks = new KeyedLock();
const indexLocks = new KeyedLock();

/** Runs `fn` while it may write blobs into `dir` (many at once; never during a collection). */
export function withBlobWrites<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  return blobLocks.shared(resolve(dir), fn);
}

/** Runs `fn` with no blob writer active in `dir` (garbage collection). */
export function withBlobsQuiet<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  return blobLocks.exclusive(resolve(dir), fn);
}

/** Runs `fn` as the only reader-and-writer of `dir`'s index.json. */
export function withIndexJson<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  return indexLocks.exclusive(resolve(dir), fn);
}
