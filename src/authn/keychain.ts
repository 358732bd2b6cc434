/**
 * @module The default keychain (ggcr's `authn.DefaultKeychain`): the user's Docker config when
 * there is one, else podman's auth.json, else no credentials.
 */
import { Anonymous, fromConfig, isAnonymous, type Authenticator, type Keychain, type Resource } from './authenticator.ts';
import { findContainersAuthFile, loadContainersAuth, lookupContainersAuth } from './containers-auth.ts';
import { dockerConfigExists, loadDockerConfig } from './docker-config.ts';
import { envAuthConfig, resolveInDockerConfig } from './docker-keychain.ts';
import { resolveEnvironment, type EnvironmentOptions } from './environment.ts';
import { resourceKeys } from './server-key.ts';

/** Options for {@link newDefaultKeychain}. */
export interface DefaultKeychainOptions extends EnvironmentOptions {
  /** How long a credential helper may run; default `DEFAULT_HELPER_TIMEOUT_MS`. */
  helperTimeoutMs?: number | undefined;
}

/**
 * A keychain that resolves as ggcr's `DefaultKeychain` does, reading the files again on every
 * `resolve` (so a `docker login` in between is seen). Exactly one source is consulted:
 *
 * 1. Docker's config, when `~/.docker/config.json` or `$DOCKER_CONFIG/config.json` exists. It is
 *    read from `$DOCKER_CONFIG` when that is set (ggcr's quirk, kept: docker-cli reads only
 *    there). Per key (`registry/repository`, then the registry; Docker Hub's is
 *    `https://index.docker.io/v1/`): `DOCKER_AUTH_CONFIG`'s exact entry, then `credHelpers[key]`,
 *    else `credsStore`, else `auths` (exact key, then by host).
 * 2. Otherwise the first podman auth.json that exists: `$REGISTRY_AUTH_FILE`,
 *    `$XDG_RUNTIME_DIR/containers/auth.json`, then (beyond ggcr, as podman itself does)
 *    `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`, matched as podman matches
 *    (most specific `registry/namespace` key first). `DOCKER_AUTH_CONFIG` is asked first here
 *    too, as it is when ggcr reads the podman file through docker-cli.
 * 3. Otherwise `Anonymous`, except that (beyond ggcr, as docker-cli does) `DOCKER_AUTH_CONFIG`
 *    still answers when no file exists at all, the common case in CI.
 *
 * A source found but unreadable, or a credential helper that fails, rejects: a login that is
 * there but broken is reported, not silently replaced by anonymous access. Resolutions are
 * serialised, as ggcr does with a mutex: some helpers (gcloud's) fail when run concurrently.
 */
export function newDefaultKeychain(options: DefaultKeychainOptions = {}): Keychain {
  let queue: Promise<unknown> = Promise.resolve();
  return {
    resolve(resource, opts = {}) {
      const run = queue.then(() => resolveDefault(resource, options, opts.signal));
      queue = run.catch(() => {});
      return run;
    },
  };
}

/** The default keychain over `process.env` and the current home directory, read at each `resolve`. */
export const defaultKeychain: Keychain = newDefaultKeychain();

async function resolveDefault(
  resource: Resource,
  options: DefaultKeychainOptions,
  signal: AbortSignal | undefined,
): Promise<Authenticator> {
  signal?.throwIfAborted();
  const environment = resolveEnvironment(options);
  const lookup = { ...options, ...environment, signal };
  if (await dockerConfigExists(environment)) {
    const cfg = await resolveInDockerConfig(await loadDockerConfig(environment), resource, lookup);
    return cfg ? fromConfig(cfg) : Anonymous;
  }
  for (const key of resourceKeys(resource)) {
    const cfg = envAuthConfig(environment.env, key);
    if (cfg && !isAnonymous(cfg)) return fromConfig(cfg);
  }
  const podman = await findContainersAuthFile(environment);
  if (podman === undefined) return Anonymous;
  const cfg = await lookupContainersAuth(await loadContainersAuth(podman), resource, lookup);
  return cfg ? fromConfig(cfg) : Anonymous;
}
