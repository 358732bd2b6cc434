/**
 * @module A keychain over one credential helper (ggcr's `authn.NewKeychainFromHelper`): a
 * `docker-credential-<name>` program by name, or any object with `get(serverURL)`.
 */
import { Anonymous, fromConfig, isAnonymous, type Keychain } from './authenticator.ts';
import { credentialHelper, helperCredentialsToAuthConfig, type CredentialHelper, type CredentialHelperOptions } from './cred-helper.ts';

/** Options for {@link newKeychainFromHelper}. */
export interface HelperKeychainOptions extends CredentialHelperOptions {
  /**
   * Answer `Anonymous` when the helper fails (ggcr's behaviour) instead of rejecting. Off by
   * default: a helper that is missing or broken is reported with its own message, where ggcr
   * hides it and the registry's 401 is all the user sees. Turn it on for optional helpers in a
   * chain (a cloud helper on a machine that is not in that cloud).
   */
  ignoreErrors?: boolean | undefined;
}

/**
 * A keychain that asks `helper` for the registry host (as ggcr does, the bare host even for
 * Docker Hub: `index.docker.io`). "Not found" is `Anonymous`; username `<token>` makes the secret
 * an identity token.
 *
 * @example
 * const ecr = newKeychainFromHelper('ecr-login', { ignoreErrors: true });
 */
export function newKeychainFromHelper(helper: string | CredentialHelper, options: HelperKeychainOptions = {}): Keychain {
  const h = typeof helper === 'string' ? credentialHelper(helper, options) : helper;
  return {
    async resolve(resource, opts = {}) {
      try {
        const creds = await h.get(resource.registry, { signal: opts.signal });
        const cfg = creds ? helperCredentialsToAuthConfig(creds) : {};
        return isAnonymous(cfg) ? Anonymous : fromConfig(cfg);
      } catch (err) {
        if (options.ignoreErrors && !opts.signal?.aborted) return Anonymous;
        throw err;
      }
    },
  };
}
