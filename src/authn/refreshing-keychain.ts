/**
 * @module A keychain whose answers are asked for again after a while (ggcr's
 * `authn.RefreshingKeychain`), for long-running processes whose credentials rotate.
 */
import { Anonymous, type Authenticator, type Keychain } from './authenticator.ts';
import { InvalidArgumentError } from '../errors/index.ts';

/** Options for {@link refreshingKeychain}. */
export interface RefreshingKeychainOptions {
  /** The clock, in milliseconds; for tests. Default `Date.now`. */
  now?: (() => number) | undefined;
}

/**
 * Wraps `inner` so that each authenticator it resolves re-resolves the same resource through
 * `inner` when it is asked for credentials more than `ttlMs` after the last resolution. An
 * `Anonymous` answer is returned as is. Unlike ggcr, a failed refresh does not restart the clock:
 * the next use tries again rather than serving stale credentials for another period.
 */
export function refreshingKeychain(inner: Keychain, ttlMs: number, options: RefreshingKeychainOptions = {}): Keychain {
  if (!(ttlMs >= 0)) throw new InvalidArgumentError(`refreshingKeychain ttlMs must be >= 0, got ${ttlMs}`);
  const now = options.now ?? Date.now;
  return {
    async resolve(resource, opts = {}) {
      const started = now();
      const first = await inner.resolve(resource, opts);
      if (first === Anonymous) return Anonymous;
      let cached: Authenticator = first;
      let last = started;
      let refreshing: Promise<void> | undefined;
      const refresh = async (signal: AbortSignal | undefined): Promise<void> => {
        const at = now();
        cached = await inner.resolve(resource, signal ? { signal } : {});
        last = at;
      };
      return {
        async authorization(o = {}) {
          if (now() - last > ttlMs) {
            // One refresh at a time; concurrent callers share it.
            refreshing ??= refresh(o.signal).finally(() => {
              refreshing = undefined;
            });
            await refreshing;
          }
          return cached.authorization(o);
        },
      };
    },
  };
}
