/**
 * @module A FIFO concurrency limiter: at most N tasks run at once, the rest wait their turn in
 * the order they asked. Like ggcr's use of `errgroup.SetLimit` and its token channels.
 */
import { InvalidArgumentError } from '../../errors/index.ts';

/** Releases a slot taken with {@link Limiter.acquire}; calling it again does nothing. */
export type Release = () => void;

/** A bounded pool of slots. */
export interface Limiter {
  /** Runs `fn` when a slot is free and frees the slot when it settles. */
  run<T>(fn: () => Promise<T>, options?: { signal?: AbortSignal | undefined }): Promise<T>;
  /**
   * Takes a slot until `release` is called, for work whose end is not a promise, such as a blob
   * stream that holds its slot until it ends, errs or is closed (ggcr #2345, #2373).
   */
  acquire(options?: { signal?: AbortSignal | undefined }): Promise<Release>;
  /** Tasks running now. */
  readonly active: number;
  /** Tasks waiting for a slot. */
  readonly pending: number;
}

interface Waiter {
  grant: () => void;
}

/**
 * A limiter allowing `concurrency` tasks at once (`Infinity` for no limit). Waiters are served
 * first come, first served, so no task starves; an aborted waiter leaves the queue.
 *
 * @example
 * const limit = createLimiter(DEFAULT_JOBS);
 * await Promise.all(blobs.map((b) => limit.run(() => upload(b))));
 */
export function createLimiter(concurrency: number): Limiter {
  if (!(Number.isSafeInteger(concurrency) || concurrency === Infinity) || concurrency < 1) {
    throw new InvalidArgumentError(`concurrency must be a positive integer or Infinity, got ${concurrency}`);
  }
  const queue: Waiter[] = [];
  let active = 0;

  function releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = queue.shift();
      // The slot passes straight to the next waiter, so `active` stays the same and no newcomer
      // can slip in between.
      if (next) next.grant();
      else active--;
    };
  }

  function acquire(options: { signal?: AbortSignal | undefined } = {}): Promise<Release> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (active < concurrency) {
      active++;
      return Promise.resolve(releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = () => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(releaser());
        },
      };
      queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async function run<T>(fn: () => Promise<T>, options: { signal?: AbortSignal | undefined } = {}): Promise<T> {
    const release = await acquire(options);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  return {
    run,
    acquire,
    get active() {
      return active;
    },
    get pending() {
      return queue.length;
    },
  };
}
