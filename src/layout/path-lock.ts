/**
 * @module In-process locks per layout folder. index.json is read, changed and rewritten under an
 * exclusive lock, so concurrent appends never lose an entry; blob writers share a lock that
 * garbage collection takes exclusively, so a collection never deletes the blobs of an image that
 * is being appended. (Other processes are not covered, as in ggcr.)
 */
import { resolve } from 'node:path';

/** A read/write lock: many `shared` holders or one `exclusive`, first come first served. */
class RwLock {
  #active = 0; // holders: > 0 shared, -1 exclusive
  readonly #queue: { exclusive: boolean; grant: () => void }[] = [];
  users = 0;

  #drain(): void {
    while (this.#queue.length) {
      const next = this.#queue[0]!;
      if (next.exclusive ? this.#active !== 0 : this.#active < 0) return;
      this.#active = next.exclusive ? -1 : this.#active + 1;
      this.#queue.shift();
      next.grant();
      if (next.exclusive) return;
    }
  }

  async run<T>(exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    await new Promise<void>((grant) => {
      this.#queue.push({ exclusive, grant });
      this.#drain();
    });
    try {
      return await fn();
    } finally {
      this.#active = exclusive ? 0 : this.#active - 1;
      this.#drain();
    }
  }
}

const blobLocks = new Map<string, RwLock>();
const indexLocks = new Map<string, RwLock>();

async function withLock<T>(table: Map<string, RwLock>, dir: string, exclusive: boolean, fn: () => Promise<T>): Promise<T> {
  const key = resolve(dir);
  let lock = table.get(key);
  if (!lock) table.set(key, (lock = new RwLock()));
  lock.users++;
  try {
    return await lock.run(exclusive, fn);
  } finally {
    if (--lock.users === 0) table.delete(key);
  }
}

/** Runs `fn` while it may write blobs into `dir` (many at once; never during a collection). */
export function withBlobWrites<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  return withLock(blobLocks, dir, false, fn);
}

/** Runs `fn` with no blob writer active in `dir` (garbage collection). */
export function withBlobsQuiet<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  return withLock(blobLocks, dir, true, fn);
}

/** Runs `fn` as the only reader-and-writer of `dir`'s index.json. */
export function withIndexJson<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  return withLock(indexLocks, dir, true, fn);
}
