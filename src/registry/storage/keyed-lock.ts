/**
 * @module One-at-a-time execution per key: appends to the same upload, or tag changes in the same
 * repository, run in arrival order instead of interleaving.
 */

/** Serialises async tasks that share a key; tasks with different keys run concurrently. */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `task` once every task queued earlier under `key` has settled. */
  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => done);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      // The last task out forgets the key, so the map holds only keys with work queued.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
