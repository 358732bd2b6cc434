/**
 * @module GitHub's registries with the token GitHub Actions provides (ggcr's `authn/github`):
 * `$GITHUB_TOKEN` as the password, `$GITHUB_ACTOR` as the username.
 */
import { Anonymous, basic, type Keychain } from './authenticator.ts';
import { envValue, resolveEnvironment, type EnvironmentOptions } from './environment.ts';

/**
 * GitHub's container registry hosts: `ghcr.io` (ggcr's only one) and the older
 * `docker.pkg.github.com`, which accepts the same token.
 */
const GITHUB_HOSTS = new Set(['ghcr.io', 'docker.pkg.github.com']);

/**
 * A keychain for `ghcr.io` and `docker.pkg.github.com` that answers with
 * `basic($GITHUB_ACTOR, $GITHUB_TOKEN)` when `GITHUB_TOKEN` is set (the username is `unset`
 * without `GITHUB_ACTOR`, as in ggcr: the registry checks only the token), `Anonymous` otherwise
 * and for every other registry. The variables are read at each `resolve`.
 */
export function newGithubKeychain(options: EnvironmentOptions = {}): Keychain {
  return {
    async resolve(resource) {
      const host = resource.registry.replace(/:\d+$/, '');
      if (!GITHUB_HOSTS.has(host)) return Anonymous;
      const { env } = resolveEnvironment(options);
      const token = envValue(env, 'GITHUB_TOKEN');
      if (token === undefined) return Anonymous;
      return basic(envValue(env, 'GITHUB_ACTOR') ?? 'unset', token);
    },
  };
}

/** {@link newGithubKeychain} over `process.env` (ggcr's `github.Keychain`). */
export const githubKeychain: Keychain = newGithubKeychain();
