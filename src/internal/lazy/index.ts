/**
 * @module Memoised async values for lazy views: computed on first use, shared by every caller,
 * forgotten on failure so a transient error (a dropped connection) is not cached forever.
 */

/** Returns a function that runs `fn` once and hands every caller the same promise. */
export function lazy<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= fn().catch((err: unknown) => {
      p = undefined;
      throw err;
    });
    return p;
  };
}
