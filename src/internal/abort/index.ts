/**
 * @module Giving up on work that cannot be cancelled. Some waits take no signal (a shared token
 * exchange, `Image.manifest()` sizing a stalled layer, a socket connect): the caller stops
 * waiting when its signal aborts, and the work is left to finish or fail on its own.
 */

/**
 * Resolves or rejects with `work`, or rejects with `signal.reason` as soon as it aborts. A later
 * failure of the abandoned work is ignored, never an unhandled rejection.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => {});
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
