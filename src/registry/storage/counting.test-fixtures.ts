/**
 * @module Test helper: a storage that counts the calls made to another, so a test can pin how
 * much storage work an HTTP request costs.
 */
import type { RegistryStorage } from './types.ts';

/** A storage forwarding to `inner`, with the number of calls so far per method. */
export interface CountingStorage {
  readonly storage: RegistryStorage;
  /** Calls per method name since creation or the last `reset()`. */
  readonly calls: Map<keyof RegistryStorage, number>;
  reset(): void;
}

/** Wraps `inner` so that every method call is counted. */
export function countingStorage(inner: RegistryStorage): CountingStorage {
  const calls = new Map<keyof RegistryStorage, number>();
  const storage = new Proxy(inner, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const name = property as keyof RegistryStorage;
        calls.set(name, (calls.get(name) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { storage, calls, reset: () => calls.clear() };
}
