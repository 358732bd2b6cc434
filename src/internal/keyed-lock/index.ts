/**
 * @module In-process locks by key, exclusive or shared, first come first served. The registry
 * storage runs appends to one upload, and tag and manifest changes of one repository, one at a
 * time; a layout serialises its index.json per folder and keeps garbage collection apart from
 * blob writers. (Other processes are not covered.)
 */

/** A read/write lock: many `shared` holders or one `exclusive`, first come first served. */
class RwLock {
  #active = 0; // holders: > 0 shared, -1 exclusive
  readonly #queue: { exclusive: boolean; grant: () => void }[] = [];
  /** Tasks running or waiting; the lock is forgotten when it drops to 0. */
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

  async run<T>(exclusive: boolean, task: () => Promise<T>): Promise<T> {
    await new Promise<void>((grant) => {
      this.#queue.push({ exclusive, grant });
      this.#drain();
    });
    try {
      return await task();
    } finally {
      this.#active = exclusive ? 0 : this.#active - 1;
      this.#drain();
    }
  }
}

/**
 * Locks by key. Tasks under different keys never wait for each other. Under one key, a waiting
 * exclusive task holds back shared tasks that arrive after it, so writers are not starved.
 *
 * @example
 * const lock = new KeyedLock();
 * await lock.exclusive(`${repository}\n${id}`, () => appendChunk());
 */
export class KeyedLock {
  readonly #locks = new Map<string, RwLock>();

  /** Runs `task` alone under `key`, once every task queued earlier under `key` has settled. */
  exclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.#run(key, true, task);
  }

  /** Runs `task` alongside other shared tasks of `key`, once no exclusive task queued earlier holds or awaits it. */
  shared<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.#run(key, false, task);
  }

  /** How many keys have a task running or waiting. */
  get size(): number {
    return this.#locks.size;
  }

  async #run<T>(key: string, exclusive: boolean, task: () => Promise<T>): Promise<T> {
    let lock = this.#locks.get(key);
    if (!lock) this.#locks.set(key, (lock = new RwLock()));
    lock.users++;
    try {
      return await lock.run(exclusive, task);
    } finally {
      // The last task out forgets the key, so the map holds only keys with work queued.
      if (--lock.users === 0) this.#locks.delete(key);
    }
  }
}
