/**
 * @module Mapping over items with bounded concurrency, keeping order and failing fast, like
 * ggcr's `errgroup` with `SetLimit(jobs)` and a results slice indexed by position.
 */
import { setMaxListeners } from 'node:events';
import { InvalidArgumentError } from '../../errors/index.ts';

/** Abort listeners one running call may reasonably hold on the signal it is given. */
const LISTENERS_PER_CALL = 8;

/** Options for {@link mapLimit}. */
export interface MapLimitOptions {
  /** Stops starting new items; running ones see the abort through the signal they are given. */
  signal?: AbortSignal | undefined;
}

/**
 * Calls `fn` on each item with at most `concurrency` calls in flight and resolves with the
 * results in input order. Items are pulled from the iterable only when a slot frees, so lazy
 * sources are not drained up front.
 *
 * After the first failure (or an abort of `options.signal`) no new item is started and the signal
 * passed to `fn` is aborted, as errgroup cancels its context; the promise rejects with the first
 * error once the calls already running have settled, so no work outlives the call.
 *
 * @example
 * const descriptors = await mapLimit(layers, DEFAULT_JOBS, (l) => describe(l), { signal });
 */
export async function mapLimit<T, R>(
  items: Iterable<T>,
  concurrency: number,
  fn: (item: T, index: number, signal: AbortSignal) => Promise<R>,
  options: MapLimitOptions = {},
): Promise<R[]> {
  if (!(Number.isSafeInteger(concurrency) || concurrency === Infinity) || concurrency < 1) {
    throw new InvalidArgumentError(`concurrency must be a positive integer or Infinity, got ${concurrency}`);
  }
  const outer = options.signal;
  outer?.throwIfAborted();
  const controller = new AbortController();
  // Every running call hangs a few abort listeners on this one signal (a stream pipeline, an
  // HTTP request, a retry timer); Node warns of a leak past 10, which `jobs: 8` already passes.
  setMaxListeners(concurrency === Infinity ? 0 : 10 + LISTENERS_PER_CALL * concurrency, controller.signal);
  const iterator = items[Symbol.iterator]();
  const results: R[] = [];
  let nextIndex = 0;
  let failed = false;
  let firstError: unknown;

  function fail(err: unknown): void {
    if (failed) return;
    failed = true;
    firstError = err;
    controller.abort(err);
  }
  // An abort counts as the first failure, so a task that then rejects with an AbortError of its
  // own does not replace the caller's reason.
  const onAbort = () => fail(outer?.reason);
  outer?.addEventListener('abort', onAbort, { once: true });

  async function worker(): Promise<void> {
    while (!failed) {
      try {
        const next = iterator.next();
        if (next.done) return;
        const index = nextIndex++;
        results[index] = await fn(next.value, index, controller.signal);
      } catch (err) {
        fail(err);
        return;
      }
    }
  }

  try {
    const workers: Promise<void>[] = [];
    // Each worker takes its first item synchronously; once the items run out, no more are started.
    for (let i = 0; i < concurrency; i++) {
      workers.push(worker());
      if (nextIndex <= i || failed) break;
    }
    await Promise.all(workers);
  } finally {
    outer?.removeEventListener('abort', onAbort);
    // Lets a generator that is stopped early run its `finally` blocks.
    if (failed) iterator.return?.();
  }
  if (failed) throw firstError;
  return results;
}
