/**
 * @module The credential contract (ggcr's `authn`): an `Authenticator` yields an `AuthConfig`
 * (Docker config.json's shape), and a `Keychain` finds the authenticator for a registry.
 */

/** Credentials for one registry, as Docker's config.json and credential helpers carry them. */
export interface AuthConfig {
  readonly username?: string;
  readonly password?: string;
  /** base64 of `username:password`, as config.json stores it. */
  readonly auth?: string;
  /** An OAuth2 refresh token (Docker "identity token"): exchanged for access tokens. */
  readonly identityToken?: string;
  /** A bearer token used as is (Docker "registry token"). */
  readonly registryToken?: string;
}

/** Yields credentials; may do I/O (a credential helper, a cloud CLI) and is asked lazily. */
export interface Authenticator {
  authorization(options?: { signal?: AbortSignal }): Promise<AuthConfig>;
}

/** What a keychain is asked about: the registry host (`index.docker.io`, `localhost:5000`) and, optionally, the repository. */
export interface Resource {
  /** The registry as written in references (`index.docker.io`, `gcr.io`, `127.0.0.1:5000`). */
  readonly registry: string;
  /** `repository` without the registry, when the question is about one (kubelet-style matching uses it). */
  readonly repository?: string;
}

/** Finds credentials for a resource; resolves `Anonymous` when it has none (never rejects for "not found"). */
export interface Keychain {
  resolve(resource: Resource, options?: { signal?: AbortSignal }): Promise<Authenticator>;
}

/** No credentials. */
export const Anonymous: Authenticator = Object.freeze({ authorization: async () => ({}) });

/** True when `a` is the shared `Anonymous` authenticator or yields nothing usable. */
export function isAnonymous(cfg: AuthConfig): boolean {
  return !cfg.username && !cfg.password && !cfg.auth && !cfg.identityToken && !cfg.registryToken;
}

/** Fixed username and password (ggcr `authn.Basic`). */
export function basic(username: string, password: string): Authenticator {
  return { authorization: async () => ({ username, password }) };
}

/** A fixed bearer token (ggcr `authn.Bearer`). */
export function bearer(token: string): Authenticator {
  return { authorization: async () => ({ registryToken: token }) };
}

/** Fixed credentials (ggcr `authn.FromConfig`). */
export function fromConfig(config: AuthConfig): Authenticator {
  const frozen = Object.freeze({ ...config });
  return { authorization: async () => frozen };
}
