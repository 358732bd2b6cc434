/**
 * @module Looking credentials up in a Docker config as docker-cli's `GetAuthConfig` does:
 * `DOCKER_AUTH_CONFIG` first (exact key), then the registry's `credHelpers` entry, else
 * `credsStore`, else plaintext `auths` (exact key, then keys whose host matches).
 */
import { Anonymous, fromConfig, isAnonymous, type AuthConfig, type Keychain } from './authenticator.ts';
import { credentialHelper, helperCredentialsToAuthConfig } from './cred-helper.ts';
import { dockerAuthConfigFromEnv, loadDockerConfig, type DockerConfigFile } from './docker-config.ts';
import { resolveEnvironment, type Environment, type EnvironmentOptions } from './environment.ts';
import { convertToHostname, resourceKeys } from './server-key.ts';

/** Options for looking credentials up in a Docker config. */
export interface DockerLookupOptions extends EnvironmentOptions {
  /** How long a credential helper may run; default `DEFAULT_HELPER_TIMEOUT_MS`. */
  helperTimeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * The helper that holds `key`'s credentials: `credHelpers[key]`, else `credsStore`, else none
 * (docker-cli's `getConfiguredCredentialStore`).
 */
export function helperFor(config: DockerConfigFile, key: string): string | undefined {
  if (key !== '' && Object.hasOwn(config.credHelpers, key)) return config.credHelpers[key];
  return config.credsStore;
}

/** `DOCKER_AUTH_CONFIG`'s entry for exactly `key`, if it has one (docker-cli's in-memory store). */
export function envAuthConfig(env: Environment, key: string): AuthConfig | undefined {
  return dockerAuthConfigFromEnv(env)?.get(key);
}

/**
 * The plaintext entry for `key`: the exact key, else the first (in file order) whose
 * {@link convertToHostname} is `key`, so `https://host/v1/` and `http://host` still answer for
 * `host` (docker-cli's file store).
 */
export function plaintextAuthConfig(config: DockerConfigFile, key: string): AuthConfig | undefined {
  const exact = config.auths.get(key);
  if (exact) return exact;
  for (const [k, v] of config.auths) if (convertToHostname(k) === key) return v;
  return undefined;
}

/**
 * The credentials config.json gives for one key (a registry host, Docker Hub's
 * `https://index.docker.io/v1/`, or a full `host/repository`); `{}` when none. A helper that
 * fails other than with "not found" rejects with `CredentialsError`.
 */
export async function getAuthConfig(config: DockerConfigFile, key: string, options: DockerLookupOptions = {}): Promise<AuthConfig> {
  const { env, homedir } = resolveEnvironment(options);
  const fromEnv = envAuthConfig(env, key);
  if (fromEnv) return fromEnv;
  const helper = helperFor(config, key);
  if (helper !== undefined) {
    // With a helper configured, docker-cli never falls back to the plaintext entry's password:
    // `auths` then holds only the `{}` marker `docker login` leaves.
    const creds = await credentialHelper(helper, { env, homedir, timeoutMs: options.helperTimeoutMs }).get(key, {
      signal: options.signal,
    });
    return creds ? helperCredentialsToAuthConfig(creds) : {};
  }
  return plaintextAuthConfig(config, key) ?? {};
}

/**
 * Resolves a resource against a loaded config as ggcr's default keychain does: the full
 * `registry/repository` key first, then the registry's, the first with credentials winning.
 */
export async function resolveInDockerConfig(
  config: DockerConfigFile,
  resource: Parameters<Keychain['resolve']>[0],
  options: DockerLookupOptions = {},
): Promise<AuthConfig | undefined> {
  for (const key of resourceKeys(resource)) {
    const cfg = await getAuthConfig(config, key, options);
    if (!isAnonymous(cfg)) return cfg;
  }
  return undefined;
}

/**
 * A keychain over Docker's config.json alone (`$DOCKER_CONFIG/config.json` or
 * `~/.docker/config.json`), re-read on every `resolve` so a `docker login` in between is seen.
 */
export function dockerConfigKeychain(options: Omit<DockerLookupOptions, 'signal'> & { path?: string } = {}): Keychain {
  return {
    async resolve(resource, opts = {}) {
      const config = await loadDockerConfig(options);
      const cfg = await resolveInDockerConfig(config, resource, { ...options, signal: opts.signal });
      return cfg ? fromConfig(cfg) : Anonymous;
    },
  };
}
