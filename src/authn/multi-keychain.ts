/**
 * @module Several keychains asked in turn (ggcr's `authn.NewMultiKeychain`).
 */
import { Anonymous, type Keychain } from './authenticator.ts';

/**
 * A keychain that asks each of `keychains` in order and answers with the first authenticator
 * that is not `Anonymous`; `Anonymous` when none has credentials. A keychain that rejects stops
 * the search and the rejection is passed on (as ggcr does): a broken source is not skipped.
 *
 * @example
 * const kc = multiKeychain(defaultKeychain, githubKeychain, googleKeychain);
 * const auth = await kc.resolve({ registry: 'ghcr.io', repository: 'org/app' });
 */
export function multiKeychain(...keychains: Keychain[]): Keychain {
  return {
    async resolve(resource, options = {}) {
      for (const kc of keychains) {
        const auth = await kc.resolve(resource, options);
        if (auth !== Anonymous) return auth;
      }
      return Anonymous;
    },
  };
}
