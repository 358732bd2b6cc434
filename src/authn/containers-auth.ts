/**
 * @module Podman's (containers/image's) auth.json: `$REGISTRY_AUTH_FILE`, else
 * `$XDG_RUNTIME_DIR/containers/auth.json`, else `$XDG_CONFIG_HOME/containers/auth.json`
 * (`~/.config/containers/auth.json`). Same `auths` shape as Docker's, plus keys scoped to a
 * namespace or repository (`quay.io/org`, `quay.io/org/app`): the most specific match wins.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BadDocumentError } from '../errors/index.ts';
import { Anonymous, fromConfig, isAnonymous, type AuthConfig, type Keychain, type Resource } from './authenticator.ts';
import { goField, inSource, isObject, parseCredentialsFile } from './auth-entry.ts';
import { credentialHelper, helperCredentialsToAuthConfig } from './cred-helper.ts';
import { isFile, parseAuths } from './docker-config.ts';
import { envValue, resolveEnvironment, type EnvironmentOptions } from './environment.ts';
import { isDockerHub } from './server-key.ts';

/** The credential content of a podman auth.json. */
export interface ContainersAuthFile {
  readonly path: string;
  /** `auths`, in file order, `auth` decoded. Keys are `host[:port][/namespace…]`. */
  readonly auths: ReadonlyMap<string, AuthConfig>;
  /** `credHelpers`: registry host → helper name; a registry listed here uses that helper only. */
  readonly credHelpers: Readonly<Record<string, string>>;
}

/** Options for the podman lookups. */
export interface ContainersAuthOptions extends EnvironmentOptions {
  /** How long a credential helper may run; default `DEFAULT_HELPER_TIMEOUT_MS`. */
  helperTimeoutMs?: number | undefined;
}

/**
 * The files podman reads, in the order they are tried: `$REGISTRY_AUTH_FILE` (when set),
 * `$XDG_RUNTIME_DIR/containers/auth.json` (when set), `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`.
 */
export function containersAuthFiles(options: EnvironmentOptions = {}): string[] {
  const { env, homedir } = resolveEnvironment(options);
  const files: string[] = [];
  const explicit = envValue(env, 'REGISTRY_AUTH_FILE');
  if (explicit !== undefined) files.push(explicit);
  const runtime = envValue(env, 'XDG_RUNTIME_DIR');
  if (runtime !== undefined) files.push(join(runtime, 'containers', 'auth.json'));
  files.push(join(envValue(env, 'XDG_CONFIG_HOME') ?? join(homedir, '.config'), 'containers', 'auth.json'));
  return files;
}

/** The first of {@link containersAuthFiles} that exists, or `undefined`. */
export async function findContainersAuthFile(options: EnvironmentOptions = {}): Promise<string | undefined> {
  for (const file of containersAuthFiles(options)) if (await isFile(file)) return file;
  return undefined;
}

/** Reads an auth.json; malformed content rejects with `BadDocumentError` naming the file. */
export async function loadContainersAuth(path: string): Promise<ContainersAuthFile> {
  const doc = parseCredentialsFile(await readFile(path, 'utf8'), path);
  if (!doc) return { path, auths: new Map(), credHelpers: {} };
  const helpers = goField(doc, 'credHelpers') ?? {};
  if (!isObject(helpers)) throw new BadDocumentError(`must be an object${inSource(path)}`, 'credHelpers');
  const credHelpers: Record<string, string> = {};
  for (const [k, v] of Object.entries(helpers)) if (typeof v === 'string' && v !== '') credHelpers[k] = v;
  return { path, auths: parseAuths(goField(doc, 'auths'), path), credHelpers };
}

/** containers/image folds Docker Hub's names into one for matching legacy keys. */
function normalizeRegistry(host: string): string {
  return isDockerHub(host) ? 'index.docker.io' : host;
}

/**
 * A key as containers/image normalises it for the fallback match: a URL (`https://host/v1/`)
 * becomes its host; a bare key stays whole (so `host/ns` never answers for all of `host`).
 */
function normalizeKey(key: string): string {
  const stripped = key.replace(/^https?:\/\//, '');
  const host = stripped !== key ? (stripped.split('/', 1)[0] ?? '') : stripped;
  return normalizeRegistry(host);
}

/**
 * The exact keys tried for a resource, most specific first: `host/a/b/c`, `host/a/b`, `host/a`,
 * `host`. Docker Hub is `docker.io` here, as podman writes it.
 */
export function containersAuthKeys(resource: Resource): string[] {
  const host = isDockerHub(resource.registry) ? 'docker.io' : resource.registry;
  const keys: string[] = [];
  const parts = resource.repository ? resource.repository.split('/') : [];
  for (let n = parts.length; n > 0; n--) keys.push(`${host}/${parts.slice(0, n).join('/')}`);
  keys.push(host);
  return keys;
}

/**
 * The credentials an auth.json gives for a resource, as containers/image finds them: a
 * `credHelpers` entry for the registry decides alone; else the most specific exact key; else an
 * entry whose normalised key is the registry (`https://index.docker.io/v1/` for `docker.io`).
 * `undefined` when there is none.
 */
export async function lookupContainersAuth(
  file: ContainersAuthFile,
  resource: Resource,
  options: ContainersAuthOptions & { signal?: AbortSignal | undefined } = {},
): Promise<AuthConfig | undefined> {
  const keys = containersAuthKeys(resource);
  const host = keys[keys.length - 1] ?? resource.registry;
  const helper = file.credHelpers[host];
  if (helper !== undefined) {
    const { env, homedir } = resolveEnvironment(options);
    const creds = await credentialHelper(helper, { env, homedir, timeoutMs: options.helperTimeoutMs }).get(host, {
      signal: options.signal,
    });
    const cfg = creds ? helperCredentialsToAuthConfig(creds) : {};
    return isAnonymous(cfg) ? undefined : cfg;
  }
  for (const key of keys) {
    const cfg = file.auths.get(key);
    if (cfg && !isAnonymous(cfg)) return cfg;
  }
  const wanted = normalizeRegistry(host);
  for (const [key, cfg] of file.auths) if (normalizeKey(key) === wanted && !isAnonymous(cfg)) return cfg;
  return undefined;
}

/**
 * A keychain over podman's auth.json alone: the first file of {@link containersAuthFiles} that
 * exists, re-read on every `resolve`.
 */
export function containersAuthKeychain(options: ContainersAuthOptions = {}): Keychain {
  return {
    async resolve(resource, opts = {}) {
      const path = await findContainersAuthFile(options);
      if (path === undefined) return Anonymous;
      const cfg = await lookupContainersAuth(await loadContainersAuth(path), resource, { ...options, signal: opts.signal });
      return cfg ? fromConfig(cfg) : Anonymous;
    },
  };
}
