/**
 * @module Docker credential helpers: `docker-credential-<name> get|store|erase|list`, the protocol
 * of docker/docker-credential-helpers (server URL or JSON on stdin, JSON on stdout, errors as text
 * on stdout with a non-zero exit). Run without a shell and with a timeout.
 */
import { CredentialsError, InvalidArgumentError } from '../errors/index.ts';
import type { AuthConfig } from './authenticator.ts';
import { goField, isObject } from './auth-entry.ts';
import { resolveEnvironment, type EnvironmentOptions } from './environment.ts';
import { runProgram, type ProgramResult } from './run-program.ts';

/**
 * How long a helper may take. Generous because some ask the user (gpg's pinentry for `pass`, the
 * OS keychain's unlock prompt), yet finite so a stuck helper cannot hang a CI job; docker has none.
 */
export const DEFAULT_HELPER_TIMEOUT_MS = 60_000;

/** What every helper prints, exactly, when it has nothing for a server (`credentials.errCredentialsNotFound`). */
export const CREDENTIALS_NOT_FOUND = 'credentials not found in native keychain';

/** The username a helper stores when the secret is an identity (refresh) token, not a password. */
export const TOKEN_USERNAME = '<token>';

/** A helper's answer to `get` (docker-credential-helpers' `Credentials`). */
export interface HelperCredentials {
  readonly serverURL: string;
  readonly username: string;
  readonly secret: string;
}

/** Anything that can look credentials up by server URL, in process or not (ggcr's `authn.Helper`). */
export interface CredentialHelper {
  /** The credentials for `serverURL`, or `undefined` when it has none. */
  get(serverURL: string, options?: { signal?: AbortSignal | undefined }): Promise<HelperCredentials | undefined>;
}

/** A helper program with the whole protocol, as {@link credentialHelper} returns it. */
export interface CredentialStore extends CredentialHelper {
  /** The program run, `docker-credential-<name>`. */
  readonly program: string;
  store(credentials: HelperCredentials, options?: { signal?: AbortSignal | undefined }): Promise<void>;
  /** Forgets `serverURL`; resolves when there was nothing to forget as well. */
  erase(serverURL: string, options?: { signal?: AbortSignal | undefined }): Promise<void>;
  /** Server URL → username for everything stored. */
  list(options?: { signal?: AbortSignal | undefined }): Promise<Record<string, string>>;
}

/** Options for {@link credentialHelper}. */
export interface CredentialHelperOptions extends EnvironmentOptions {
  /** Default {@link DEFAULT_HELPER_TIMEOUT_MS}. */
  timeoutMs?: number | undefined;
}

/**
 * The helper program `docker-credential-<name>` (`name` as config.json's `credsStore` and
 * `credHelpers` give it: `pass`, `secretservice`, `ecr-login`, `gcloud`, …), looked up on the
 * `PATH` of `options.env`. Failures other than "credentials not found" reject with
 * `CredentialsError` naming the helper and quoting what it said.
 *
 * @example
 * const pass = credentialHelper('pass');
 * const creds = await pass.get('ghcr.io'); // undefined when pass has nothing for ghcr.io
 */
export function credentialHelper(name: string, options: CredentialHelperOptions = {}): CredentialStore {
  if (name === '' || /[/\\]/.test(name)) {
    throw new InvalidArgumentError(`credential helper name ${JSON.stringify(name)} must be a non-empty name without slashes`);
  }
  const program = `docker-credential-${name}`;
  const { env } = resolveEnvironment(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS;
  const what = `credential helper "${name}"`;
  const run = (action: string, input: string, signal: AbortSignal | undefined): Promise<ProgramResult> =>
    runProgram(program, [action], { what, env, input, timeoutMs, signal });
  const failure = (action: string, subject: string, r: ProgramResult): CredentialsError =>
    new CredentialsError(`${what} failed to ${action} ${subject}: ${describeFailure(r)}`);

  return {
    program,
    async get(serverURL, opts = {}) {
      const r = await run('get', serverURL, opts.signal);
      if (isNotFound(r)) return undefined;
      if (r.code !== 0) throw failure('get credentials for', serverURL, r);
      const parsed = parseJSON(r.stdout);
      if (!isObject(parsed)) throw new CredentialsError(`${what} printed no JSON credentials for ${serverURL}`);
      const field = (k: string): string => {
        const v = goField(parsed, k);
        return typeof v === 'string' ? v : '';
      };
      const creds = { serverURL: field('ServerURL') || serverURL, username: field('Username'), secret: field('Secret') };
      return creds.username === '' && creds.secret === '' ? undefined : creds;
    },
    async store(creds, opts = {}) {
      const input = JSON.stringify({ ServerURL: creds.serverURL, Username: creds.username, Secret: creds.secret });
      const r = await run('store', input, opts.signal);
      if (r.code !== 0) throw failure('store credentials for', creds.serverURL, r);
    },
    async erase(serverURL, opts = {}) {
      const r = await run('erase', serverURL, opts.signal);
      if (r.code !== 0 && !isNotFound(r)) throw failure('erase credentials for', serverURL, r);
    },
    async list(opts = {}) {
      const r = await run('list', '', opts.signal);
      if (r.code !== 0) throw failure('list', 'credentials', r);
      const parsed = parseJSON(r.stdout);
      if (!isObject(parsed)) throw new CredentialsError(`${what} printed no JSON object for list`);
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
      return out;
    },
  };
}

/**
 * A helper's answer as an `AuthConfig`: username `<token>` means the secret is an identity token
 * (docker-cli's native store keeps no username then; ggcr's helper wrapper keeps `<token>`, which
 * nothing reads, so it is dropped here).
 */
export function helperCredentialsToAuthConfig(creds: HelperCredentials): AuthConfig {
  if (creds.username === TOKEN_USERNAME) return { identityToken: creds.secret };
  return {
    ...(creds.username !== '' && { username: creds.username }),
    ...(creds.secret !== '' && { password: creds.secret }),
  };
}

function isNotFound(r: ProgramResult): boolean {
  return r.stdout.trim() === CREDENTIALS_NOT_FOUND || (r.code !== 0 && r.stderr.trim() === CREDENTIALS_NOT_FOUND);
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The helper's own words (its error text), shortened; helpers print errors, not secrets, there. */
function describeFailure(r: ProgramResult): string {
  const said = (r.stdout.trim() || r.stderr.trim()).replace(/\s+/g, ' ');
  const status = r.code === null ? 'killed' : `exit status ${r.code}`;
  if (said === '') return status;
  return `${said.length > 300 ? `${said.slice(0, 300)}…` : said} (${status})`;
}
