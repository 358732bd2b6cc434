/**
 * @module One entry of an `auths` map (config.json, podman's auth.json, a Kubernetes pull secret)
 * read into an `AuthConfig`, with Go's JSON habits: field names match case-insensitively and
 * `auth` (base64 of `username:password`) wins over separate `username`/`password`.
 */
import { BadDocumentError } from '../errors/index.ts';
import type { AuthConfig } from './authenticator.ts';

/** Go's encoding/json matches object keys to struct fields exactly first, then case-insensitively. */
export function goField(obj: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

/** A plain JSON object (not an array or null), as a record. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The JSON object a credentials file holds (config.json, auth.json); undefined for an empty file,
 * which Docker and podman treat as no credentials. Malformed content is a `BadDocumentError`
 * naming the file and nothing of its text: V8's message quotes the text around the fault, which
 * may be a secret.
 */
export function parseCredentialsFile(text: string, path: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new BadDocumentError(`${path} is not valid JSON`);
  }
  if (!isObject(doc)) throw new BadDocumentError(`${path} must hold a JSON object`);
  return doc;
}

/** ` in <source>` for messages, or nothing when the source is not known. */
export function inSource(source: string | undefined): string {
  return source ? ` in ${source}` : '';
}

function stringField(entry: Readonly<Record<string, unknown>>, name: string, where: string, source?: string): string | undefined {
  const v = goField(entry, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    throw new BadDocumentError(`must be a string, got ${typeof v}${inSource(source)}`, `${where}.${name}`);
  }
  return v === '' ? undefined : v;
}

/**
 * Reads one `auths` entry. `where` names it for errors (`auths["gcr.io"]`) and `source` the file
 * or secret it came from; a message never holds the secret. Empty fields are left out, so an entry like `{}` (left by `docker login` with a
 * credential store) reads as no credentials.
 */
export function parseAuthEntry(value: unknown, where: string, source?: string): AuthConfig {
  if (!isObject(value)) throw new BadDocumentError(`must be an object${inSource(source)}`, where);
  const auth = stringField(value, 'auth', where, source);
  let username = stringField(value, 'username', where, source);
  let password = stringField(value, 'password', where, source);
  if (auth !== undefined) [username, password] = decodeAuth(auth, `${where}.auth`, source);
  const identityToken = stringField(value, 'identitytoken', where, source);
  const registryToken = stringField(value, 'registrytoken', where, source);
  return {
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
    ...(identityToken !== undefined && { identityToken }),
    ...(registryToken !== undefined && { registryToken }),
  };
}

/**
 * base64 `username:password` → the two parts, as docker-cli's `decodeAuth` (username required,
 * trailing NULs trimmed from the password). Unpadded base64 is accepted too, as ggcr's
 * `AuthConfig` does for Kubernetes secrets.
 */
export function decodeAuth(auth: string, where: string, source?: string): [string, string | undefined] {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(auth) || auth.length % 4 === 1) {
    throw new BadDocumentError(`is not base64${inSource(source)}`, where);
  }
  const text = Buffer.from(auth, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) throw new BadDocumentError(`is not base64 of "username:password"${inSource(source)}`, where);
  const password = text.slice(colon + 1).replace(/\0+$/, '');
  return [text.slice(0, colon), password === '' ? undefined : password];
}

/** base64 of `username:password`, as config.json stores it; `undefined` when both are empty (docker-cli writes no `auth` then). */
export function encodeAuth(username: string, password: string): string | undefined {
  if (username === '' && password === '') return undefined;
  return Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
}
