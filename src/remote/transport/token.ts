/**
 * @module The bearer token exchange (Docker token spec, ggcr's `bearerTransport.Refresh`):
 * `GET realm?scope=…&scope=…&service=…` with Basic credentials for the realm's host only, or,
 * with an identity token, the OAuth2 `POST` (`grant_type=refresh_token`) falling back to the GET
 * when the token server answers 404. Token-server redirects are followed (`redirect.ts`) and
 * re-validated as realms.
 * https://distribution.github.io/distribution/spec/auth/token/ and …/auth/oauth/
 */
import type { AuthConfig } from '../../authn/authenticator.ts';
import { readAll, SMALL_BODY_LIMIT } from '../../internal/limit/index.ts';
import { redactURL } from '../../internal/redact/index.ts';
import { basicAuthorization } from './basic.ts';
import { errorFromResponse } from './check-response.ts';
import { openBody } from './body.ts';
import { AuthChallengeError, isTransportError } from './errors.ts';
import type { HttpClient, HttpResponse } from './http-client.ts';
import { followRedirects } from './redirect.ts';
import { validateRealm } from './ssrf.ts';

/** ggcr sends its user agent name as the OAuth2 client id; this is ours. */
export const OAUTH_CLIENT_ID = 'containerregistry';

/** What a token exchange needs. */
export interface TokenRequest {
  /** Already validated with `validateRealm`. */
  readonly realm: URL;
  readonly service: string;
  readonly scopes: readonly string[];
  readonly auth: AuthConfig;
  /** The registry whose challenge named the realm, for re-validating redirects. */
  readonly registryHost: string;
  /** Whether an http realm is acceptable (the registry is reached over http). */
  readonly allowHttp: boolean;
  readonly signal?: AbortSignal | undefined;
}

/** A token and what came with it. */
export interface Token {
  readonly token: string;
  /** An OAuth2 refresh token, which replaces the credentials for later exchanges. */
  readonly refreshToken?: string;
  /** How long the token lives, when the server says. */
  readonly expiresInMs?: number;
}

/** Exchanges credentials for a token. Fails with `TransportError` (the server's answer) or `AuthChallengeError`. */
export async function fetchToken(client: HttpClient, req: TokenRequest): Promise<Token> {
  if (req.auth.identityToken) {
    try {
      return await oauth(client, req, req.auth.identityToken);
    } catch (err) {
      // Not every token server speaks OAuth2; the spec says to fall back to the GET (ggcr too).
      if (!isTransportError(err, 404)) throw err;
    }
  }
  const url = new URL(req.realm);
  url.searchParams.delete('scope');
  for (const scope of req.scopes) url.searchParams.append('scope', scope);
  url.searchParams.set('service', req.service);
  return parseToken(await exchange(client, req, 'GET', url, undefined), req.realm);
}

function oauth(client: HttpClient, req: TokenRequest, refreshToken: string): Promise<Token> {
  const form = new URLSearchParams();
  form.set('scope', req.scopes.join(' '));
  if (req.service) form.set('service', req.service);
  form.set('client_id', OAUTH_CLIENT_ID);
  form.set('grant_type', 'refresh_token');
  form.set('refresh_token', refreshToken);
  return exchange(client, req, 'POST', new URL(req.realm), form.toString()).then((res) => parseToken(res, req.realm));
}

/**
 * Sends one token request, following redirects re-validated as realms; Basic credentials go to
 * the realm's host only (the shared redirect loop drops them when a hop leaves it).
 */
async function exchange(client: HttpClient, req: TokenRequest, method: string, start: URL, form: string | undefined): Promise<HttpResponse> {
  // A registry token is used as is and never exchanged, so only user/password or `auth` remain.
  const { registryToken: _unused, ...exchangeable } = req.auth;
  const credentials = basicAuthorization(exchangeable);
  const headers: Record<string, string> = {};
  if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (credentials) headers['authorization'] = credentials;
  const { res, hop } = await followRedirects(
    { method, url: start, headers, body: form },
    (h) =>
      client.sendRetrying(
        async () => ({ method: h.method, url: h.url, headers: h.headers, body: await openBody(h.body), signal: req.signal, secret: 'token exchange' }),
        { retry: true, replayable: true, signal: req.signal },
      ),
    {
      target: (from, location) => {
        try {
          return validateRealm(new URL(location, from).href, req.registryHost, req.allowHttp);
        } catch (err) {
          throw new AuthChallengeError(`refusing token-server redirect from ${redactURL(from)}: ${(err as Error).message}`, { cause: err });
        }
      },
    },
  );
  if (res.status !== 200) throw await errorFromResponse(res, hop.method, hop.url);
  return res;
}

async function parseToken(res: HttpResponse, realm: URL): Promise<Token> {
  const where = redactURL(realm);
  const raw = await readAll(res.body, { max: SMALL_BODY_LIMIT, what: `token response from ${where}` });
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AuthChallengeError(`token response from ${where} is not JSON`);
  }
  const fields = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  // Some servers answer `access_token` only (ggcr #54); the spec allows either.
  const token = nonEmpty(fields['token']) ?? nonEmpty(fields['access_token']);
  // The body is never quoted: it may hold a refresh token.
  if (!token) throw new AuthChallengeError(`token response from ${where} has no "token" or "access_token"`);
  const refreshToken = nonEmpty(fields['refresh_token']);
  const expiresIn = fields['expires_in'];
  return {
    token,
    ...(refreshToken ? { refreshToken } : {}),
    ...(typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? { expiresInMs: expiresIn * 1000 } : {}),
  };
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
