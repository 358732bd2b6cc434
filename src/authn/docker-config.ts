/**
 * @module Docker's config.json: where it is (`$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`), what it holds for credentials (`auths`, `credHelpers`, `credsStore`,
 * `HttpHeaders`), and the `DOCKER_AUTH_CONFIG` variable that carries a config in the environment.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BadDocumentError } from '../errors/index.ts';
import type { AuthConfig } from './authenticator.ts';
import { goField, inSource, isObject, parseAuthEntry, parseCredentialsFile } from './auth-entry.ts';
import { envValue, resolveEnvironment, type Environment, type EnvironmentOptions } from './environment.ts';

/** The credential-related content of a config.json. */
export interface DockerConfigFile {
  /** The file it was read from (or would be, when `exists` is false). */
  readonly path: string;
  /** False when there was no file: the config is then empty, as docker-cli treats it. */
  readonly exists: boolean;
  /** `auths`, in file order, with `auth` decoded into username and password. */
  readonly auths: ReadonlyMap<string, AuthConfig>;
  /** `credHelpers`: registry key → helper name (the `pass` of `docker-credential-pass`). */
  readonly credHelpers: Readonly<Record<string, string>>;
  /** `credsStore`: the helper for every registry without a `credHelpers` entry. */
  readonly credsStore?: string | undefined;
  /** `HttpHeaders`: extra headers docker sends to registries; exposed for the transport. */
  readonly httpHeaders: Readonly<Record<string, string>>;
}

/** `$DOCKER_CONFIG` when set, else `~/.docker` (docker-cli's `config.Dir()`). */
export function dockerConfigDir(options: EnvironmentOptions = {}): string {
  const { env, homedir } = resolveEnvironment(options);
  return envValue(env, 'DOCKER_CONFIG') ?? join(homedir, '.docker');
}

/** The config.json docker, crane and this library read and `crane auth login` writes. */
export function dockerConfigPath(options: EnvironmentOptions = {}): string {
  return join(dockerConfigDir(options), 'config.json');
}

/**
 * ggcr's test for "the user has a Docker config": `~/.docker/config.json` exists, or
 * `$DOCKER_CONFIG/config.json` does. Either makes the default keychain use Docker's config
 * (read from `$DOCKER_CONFIG` when set, even if only the one in `~` exists, as ggcr does).
 */
export async function dockerConfigExists(options: EnvironmentOptions = {}): Promise<boolean> {
  const { env, homedir } = resolveEnvironment(options);
  if (await isFile(join(homedir, '.docker', 'config.json'))) return true;
  const dir = envValue(env, 'DOCKER_CONFIG');
  return dir !== undefined && (await isFile(join(dir, 'config.json')));
}

/** True when `path` exists and is not a directory (ggcr's `fileExists`). */
export async function isFile(path: string): Promise<boolean> {
  try {
    return !(await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Reads config.json (`options.path`, else {@link dockerConfigPath}); a missing file gives an
 * empty config. Malformed JSON or a bad `auths` entry rejects with `BadDocumentError` naming the
 * file and the entry, as docker and ggcr refuse such a file.
 */
export async function loadDockerConfig(options: EnvironmentOptions & { path?: string } = {}): Promise<DockerConfigFile> {
  const path = options.path ?? dockerConfigPath(options);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyConfig(path);
    throw err;
  }
  return parseDockerConfig(text, path);
}

/** Parses config.json text; `path` is only for messages. Empty text is an empty config. */
export function parseDockerConfig(text: string, path: string): DockerConfigFile {
  const doc = parseCredentialsFile(text, path);
  if (!doc) return { ...emptyConfig(path), exists: true };
  return {
    path,
    exists: true,
    auths: parseAuths(goField(doc, 'auths'), path),
    credHelpers: stringMap(goField(doc, 'credHelpers'), path, 'credHelpers'),
    credsStore: optionalString(goField(doc, 'credsStore'), path, 'credsStore'),
    httpHeaders: stringMap(goField(doc, 'HttpHeaders'), path, 'HttpHeaders'),
  };
}

/**
 * The `auths` of `DOCKER_AUTH_CONFIG` (a whole config.json in one variable, as CI systems set
 * it), or `undefined` when it is unset, empty or unparseable. docker-cli ignores a value it
 * cannot parse rather than failing, and so do we.
 */
export function dockerAuthConfigFromEnv(env: Environment): ReadonlyMap<string, AuthConfig> | undefined {
  const text = envValue(env, 'DOCKER_AUTH_CONFIG');
  if (text === undefined) return undefined;
  try {
    return parseDockerConfig(text, 'DOCKER_AUTH_CONFIG').auths;
  } catch {
    return undefined;
  }
}

/**
 * Reads an `auths` map; `where` names the file for errors. Exported for podman's auth.json, whose
 * `auths` have the same shape.
 */
export function parseAuths(value: unknown, where: string): Map<string, AuthConfig> {
  const out = new Map<string, AuthConfig>();
  if (value === undefined || value === null) return out;
  if (!isObject(value)) throw new BadDocumentError(`must be an object${inSource(where)}`, 'auths');
  for (const [key, entry] of Object.entries(value)) {
    out.set(key, parseAuthEntry(entry, `auths[${JSON.stringify(key)}]`, where));
  }
  return out;
}

function stringMap(value: unknown, path: string, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new BadDocumentError(`must be an object${inSource(path)}`, field);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new BadDocumentError(`must be a string${inSource(path)}`, `${field}[${JSON.stringify(k)}]`);
    }
    out[k] = v;
  }
  return out;
}

function optionalString(value: unknown, path: string, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new BadDocumentError(`must be a string${inSource(path)}`, field);
  return value;
}

function emptyConfig(path: string): DockerConfigFile {
  return { path, exists: false, auths: new Map(), credHelpers: {}, httpHeaders: {} };
}
