/**
 * @module The keys credentials are filed under: Docker Hub's historical `https://index.docker.io/v1/`,
 * docker-cli's `ConvertToHostname` for the URL forms `docker login` accepted over the years, and
 * the order in which a resource's keys are tried.
 */
import { DEFAULT_REGISTRY, DOCKER_HUB_ALIAS } from '../name/index.ts';
import type { Resource } from './authenticator.ts';

/** The key Docker Hub's credentials are stored under in config.json (ggcr `authn.DefaultAuthKey`). */
export const DEFAULT_AUTH_KEY = 'https://index.docker.io/v1/';

/** True for the host names that mean Docker Hub (`index.docker.io`, `docker.io`, `registry-1.docker.io`). */
export function isDockerHub(registry: string): boolean {
  return registry === DEFAULT_REGISTRY || registry === DOCKER_HUB_ALIAS || registry === 'registry-1.docker.io';
}

/**
 * The config.json key for a registry: Docker Hub's is `https://index.docker.io/v1/`, every other
 * registry's is its host (with port), as `docker login` and `crane auth login` write them.
 */
export function authKey(registry: string): string {
  return isDockerHub(registry) ? DEFAULT_AUTH_KEY : registry;
}

/**
 * docker-cli's `ConvertToHostname`: `https://host:5000/v1/` → `host:5000`, `http://host` → `host`,
 * `host/path` → `host`. Used to match keys written in an older or looser form.
 */
export function convertToHostname(maybeURL: string): string {
  // The authority as written: WHATWG URL parsing would lower-case it and drop default ports,
  // which Go's url.Parse (docker-cli's) keeps.
  const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(maybeURL)?.[1];
  if (authority !== undefined) {
    const host = authority.slice(authority.lastIndexOf('@') + 1);
    const bracketed = /^\[([^\]]*)\]$/.exec(host);
    if (bracketed) return bracketed[1] ?? '';
    if (host !== '' && !host.startsWith(':')) return host;
  }
  return maybeURL.split('/', 1)[0] ?? '';
}

/** `registry/repository`, or the registry alone (ggcr's `Resource.String()`). */
export function resourceString(resource: Resource): string {
  return resource.repository ? `${resource.registry}/${resource.repository}` : resource.registry;
}

/**
 * The keys ggcr's default keychain asks for, in order: the full repository first (a config.json may
 * hold repository-specific credentials), then the registry; Docker Hub's registry key is
 * {@link DEFAULT_AUTH_KEY}. Duplicates are dropped so a helper is not run twice for one question.
 */
export function resourceKeys(resource: Resource): string[] {
  const keys = [resourceString(resource), resource.registry].map((k) => (isDockerHub(k) ? DEFAULT_AUTH_KEY : k));
  return [...new Set(keys)];
}
