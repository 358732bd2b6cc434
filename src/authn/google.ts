/**
 * @module Google's registries (Container Registry and Artifact Registry) with the access token
 * of the user's `gcloud` login (ggcr's `v1/google.Keychain`, without its Application Default
 * Credentials path): `gcloud config config-helper`, run only when `gcloud` is on `PATH`, its token
 * reused until shortly before it expires.
 */
import { CredentialsError } from '../errors/index.ts';
import { Anonymous, type Authenticator, type Keychain } from './authenticator.ts';
import { isObject } from './auth-entry.ts';
import { DEFAULT_HELPER_TIMEOUT_MS } from './cred-helper.ts';
import { resolveEnvironment, type EnvironmentOptions } from './environment.ts';
import { findExecutable, runProgram } from './run-program.ts';

/** The username Google's registries take with an OAuth2 access token as the password. */
export const GOOGLE_TOKEN_USERNAME = 'oauth2accesstoken';

/**
 * A token is renewed this long before its expiry (oauth2's `expiryDelta`), so it does not lapse
 * between being handed out and reaching the registry.
 */
const EXPIRY_MARGIN_MS = 10_000;

/** Options for {@link newGoogleKeychain} and {@link gcloudAuthenticator}. */
export interface GoogleKeychainOptions extends EnvironmentOptions {
  /** How long `gcloud` may run; default `DEFAULT_HELPER_TIMEOUT_MS`. */
  timeoutMs?: number | undefined;
  /** The clock, in milliseconds; for tests. Default `Date.now`. */
  now?: (() => number) | undefined;
}

/**
 * True for the hosts ggcr's Google keychain answers for: `gcr.io`, `*.gcr.io`, `*.pkg.dev`
 * (Artifact Registry's `<region>-docker.pkg.dev`) and `*.google.com`.
 */
export function isGoogleRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '');
  return host === 'gcr.io' || host.endsWith('.gcr.io') || host.endsWith('.pkg.dev') || host.endsWith('.google.com');
}

/**
 * An authenticator over `gcloud config config-helper --force-auth-refresh --format=json(credential)`:
 * answers `{ username: 'oauth2accesstoken', password: <access token> }`, running gcloud again only
 * when the token is within 10 s of its expiry. A failing gcloud rejects with `CredentialsError`.
 */
export function gcloudAuthenticator(options: GoogleKeychainOptions = {}): Authenticator {
  const now = options.now ?? Date.now;
  let token: { value: string; expiresAt: number } | undefined;
  let pending: Promise<{ value: string; expiresAt: number }> | undefined;
  return {
    async authorization(opts = {}) {
      if (!token || now() >= token.expiresAt - EXPIRY_MARGIN_MS) {
        // gcloud misbehaves when run concurrently (docker-credential-gcr#54): one run at a time.
        pending ??= runGcloud(options, opts.signal).finally(() => {
          pending = undefined;
        });
        token = await pending;
      }
      return { username: GOOGLE_TOKEN_USERNAME, password: token.value };
    },
  };
}

async function runGcloud(
  options: GoogleKeychainOptions,
  signal: AbortSignal | undefined,
): Promise<{ value: string; expiresAt: number }> {
  const { env } = resolveEnvironment(options);
  const r = await runProgram('gcloud', ['config', 'config-helper', '--force-auth-refresh', '--format=json(credential)'], {
    what: 'Google credentials',
    env,
    timeoutMs: options.timeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS,
    signal,
  });
  if (r.code !== 0) {
    const said = r.stderr.trim().split('\n').pop() ?? '';
    throw new CredentialsError(`gcloud config config-helper failed (exit status ${r.code})${said ? `: ${said}` : ''}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new CredentialsError('gcloud config config-helper printed no JSON');
  }
  const credential = isObject(doc) ? doc.credential : undefined;
  const value = isObject(credential) ? credential.access_token : undefined;
  const expiry = isObject(credential) ? credential.token_expiry : undefined;
  if (typeof value !== 'string' || value === '') {
    throw new CredentialsError('gcloud config config-helper gave no access token: is `gcloud auth login` done?');
  }
  const expiresAt = typeof expiry === 'string' ? Date.parse(expiry) : Number.NaN;
  if (Number.isNaN(expiresAt)) throw new CredentialsError('gcloud config config-helper gave no valid token_expiry');
  return { value, expiresAt };
}

/**
 * A keychain for Google's registries (see {@link isGoogleRegistry}); `Anonymous` for every other
 * host. The first time it is asked about a Google host it runs gcloud once to check the login;
 * when gcloud is absent or fails, the answer is `Anonymous` (public images still pull), as in
 * ggcr, and the check is made again next time. A working login is kept and refreshes itself.
 * Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, the metadata server) are not
 * read: use `gcloud auth activate-service-account` or a credential helper for those.
 */
export function newGoogleKeychain(options: GoogleKeychainOptions = {}): Keychain {
  let auth: Authenticator | undefined;
  let checking: Promise<Authenticator> | undefined;
  const check = async (signal: AbortSignal | undefined): Promise<Authenticator> => {
    const { env } = resolveEnvironment(options);
    if ((await findExecutable('gcloud', env)) === undefined) return Anonymous;
    const candidate = gcloudAuthenticator(options);
    try {
      await candidate.authorization(signal ? { signal } : {});
    } catch (err) {
      if (signal?.aborted) throw err;
      return Anonymous;
    }
    auth = candidate;
    return candidate;
  };
  return {
    async resolve(resource, opts = {}) {
      if (!isGoogleRegistry(resource.registry)) return Anonymous;
      if (auth) return auth;
      checking ??= check(opts.signal).finally(() => {
        checking = undefined;
      });
      return checking;
    },
  };
}

/** {@link newGoogleKeychain} over `process.env` (ggcr's `google.Keychain`). */
export const googleKeychain: Keychain = newGoogleKeychain();
