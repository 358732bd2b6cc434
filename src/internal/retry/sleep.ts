/**
 * @module A sleep that an AbortSignal cuts short, rejecting with the signal's own reason (the
 * timers/promises version rejects with a generic AbortError, losing what the caller said).
 */

/**
 * Resolves after `ms` milliseconds, or rejects with `signal.reason` as soon as it aborts.
 *
 * @example
 * await sleep(1000, signal);
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
