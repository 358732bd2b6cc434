/**
 * @module Writing credentials for `crane auth login` / `logout`: into the credential helper that
 * config.json names for the registry, else as plaintext `auths` in config.json. The file is
 * replaced atomically (temp file + rename, mode 0600) and keeps every field it had.
 */
import { mkdir, readFile, readlink, realpath } from 'node:fs/promises';
import { dirname, resolve as resolvePath } from 'node:path';
import { BadDocumentError } from '../errors/index.ts';
import { encodeAuth, goField, isObject } from './auth-entry.ts';
import { credentialHelper } from './cred-helper.ts';
import { dockerConfigPath } from './docker-config.ts';
import type { EnvironmentOptions } from './environment.ts';
import { resolveEnvironment } from './environment.ts';
import { authKey, convertToHostname } from './server-key.ts';
import { writeFileAtomic } from '../internal/atomic-file/index.ts';

/** Options for {@link saveCredentials} and {@link eraseCredentials}. */
export interface SaveCredentialsOptions extends EnvironmentOptions {
  /** The config.json to update; default `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. */
  path?: string | undefined;
  /** How long a credential helper may run; default `DEFAULT_HELPER_TIMEOUT_MS`. */
  helperTimeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** Where credentials went (or were removed from), for `logged in via …` messages. */
export interface SaveResult {
  /** The config.json that was written (or left alone when there was nothing to change). */
  readonly path: string;
  /** The config.json key: the registry host, or `https://index.docker.io/v1/` for Docker Hub. */
  readonly key: string;
  /** The helper name when a credential helper holds the secret (`pass`, `desktop`, …). */
  readonly helper?: string;
}

/**
 * Stores `username`/`password` for `registry` (a host such as `ghcr.io` or `localhost:5000`;
 * `docker.io`, `index.docker.io` or a `https://…` URL are accepted too) the way `docker login`
 * and `crane auth login` do: through `credHelpers[key]` or `credsStore` when config.json sets
 * one (leaving the `{}` marker docker leaves in `auths`), else as `auths[key].auth`.
 *
 * @example
 * const { path } = await saveCredentials('ghcr.io', { username: 'octocat', password: token });
 */
export async function saveCredentials(
  registry: string,
  credentials: { username: string; password: string },
  options: SaveCredentialsOptions = {},
): Promise<SaveResult> {
  const key = authKey(convertToHostname(registry));
  const path = options.path ?? dockerConfigPath(options);
  const doc = await readRaw(path);
  const auths = authsOf(doc, path);
  const helper = helperIn(doc, key);
  if (helper !== undefined) {
    await helperFor(helper, options).store(
      { serverURL: key, username: credentials.username, secret: credentials.password },
      { signal: options.signal },
    );
    auths[key] = {};
  } else {
    const auth = encodeAuth(credentials.username, credentials.password);
    auths[key] = auth === undefined ? {} : { auth };
  }
  await writeAtomically(path, doc);
  return helper === undefined ? { path, key } : { path, key, helper };
}

/**
 * Forgets `registry`'s credentials (`crane auth logout`): erased from its credential helper when
 * config.json names one ("not found" is fine), and every `auths` key that would still answer for
 * it removed from config.json: the exact key and every key whose host is the registry
 * (`https://host`, `http://host/v1/`, `host/namespace`), as docker-cli's lookup by host finds those.
 */
export async function eraseCredentials(registry: string, options: SaveCredentialsOptions = {}): Promise<SaveResult> {
  const key = authKey(convertToHostname(registry));
  const path = options.path ?? dockerConfigPath(options);
  const doc = await readRaw(path);
  const helper = helperIn(doc, key);
  if (helper !== undefined) await helperFor(helper, options).erase(key, { signal: options.signal });
  const auths = goField(doc, 'auths');
  let changed = false;
  if (isObject(auths)) {
    for (const k of Object.keys(auths)) {
      if (k === key || convertToHostname(k) === key) {
        delete auths[k];
        changed = true;
      }
    }
  }
  if (changed) await writeAtomically(path, doc);
  return helper === undefined ? { path, key } : { path, key, helper };
}

function helperFor(name: string, options: SaveCredentialsOptions) {
  const { env, homedir } = resolveEnvironment(options);
  return credentialHelper(name, { env, homedir, timeoutMs: options.helperTimeoutMs });
}

/** config.json as a plain object (every field kept), `{}` when there is no file yet. */
async function readRaw(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  if (text.trim() === '') return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new BadDocumentError(`${path} is not valid JSON; not overwriting it`);
  }
  if (!isObject(doc)) throw new BadDocumentError(`${path} must hold a JSON object; not overwriting it`);
  return doc;
}

/** The `auths` object of `doc`, created when absent; matched case-insensitively as Go reads it. */
function authsOf(doc: Record<string, unknown>, path: string): Record<string, unknown> {
  const existing = goField(doc, 'auths');
  if (existing === undefined || existing === null) {
    const auths: Record<string, unknown> = {};
    doc.auths = auths;
    return auths;
  }
  if (!isObject(existing)) throw new BadDocumentError(`must be an object in ${path}; not overwriting it`, 'auths');
  return existing;
}

function helperIn(doc: Record<string, unknown>, key: string): string | undefined {
  const helpers = goField(doc, 'credHelpers');
  if (isObject(helpers) && typeof helpers[key] === 'string' && helpers[key] !== '') return helpers[key];
  const store = goField(doc, 'credsStore');
  return typeof store === 'string' && store !== '' ? store : undefined;
}

/**
 * Replaces `path` with `doc` so that a reader sees the old file or the new one, never a part:
 * a temp file beside the target, synced, renamed over it. A symlinked config.json (dotfile
 * managers) is followed, so the link stays and its target is updated, as docker-cli does.
 */
async function writeAtomically(path: string, doc: Record<string, unknown>): Promise<void> {
  const target = await followLink(path);
  await mkdir(dirname(target), { recursive: true, mode: 0o700 });
  // Tabs, as docker-cli's MarshalIndent writes it, so diffs after `docker login` stay small.
  const bytes = Buffer.from(`${JSON.stringify(doc, null, '\t')}\n`);
  await writeFileAtomic(target, bytes, { mode: 0o600, createParent: false });
}

async function followLink(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    // Missing, or a dangling link: write where the link points, else the path itself.
    try {
      return resolvePath(dirname(path), await readlink(path));
    } catch {
      return path;
    }
  }
}
