/**
 * @module The token issuer of the Docker token spec, as an HTTP handler the registry mounts at
 * `/token`: `GET /token?service=&scope=…` with optional Basic credentials, and the OAuth2
 * `POST /token` form (`grant_type=password` or `refresh_token`). Tokens are JWTs that our own
 * authorizer and a distribution registry (token auth, `rootcertbundle` = our certificate) accept.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidArgumentError, InvalidTokenError, TooLargeError } from '../../errors/index.ts';
import { readAll, SMALL_BODY_LIMIT } from '../../internal/limit/index.ts';
import type { AuthConfig } from './access.ts';
import { basicChallenge, parseAuthorization } from './auth-header.ts';
import { grantAccess } from './grant.ts';
import { PasswordVerifier } from './htpasswd.ts';
import { signJwt, verifyJwt, type AccessClaim, type TokenClaims } from './jwt.ts';
import { formatScope, parseScopes, type Scope } from './scope.ts';
import { loadOrCreateSigningKey, type SigningKeyOptions, type TokenSigningKey } from './signing-key.ts';

/** Options for {@link createTokenServer}. */
export interface TokenServerOptions {
  /** Users and access rules. */
  readonly config: AuthConfig;
  /** The registry's name as tokens' audience (`aud`) and challenges' `service`. */
  readonly service: string;
  /** The `iss` of every token; distribution's `issuer` must equal it. Default `containerregistry`. */
  readonly issuer?: string;
  /** The key to sign with; otherwise one is loaded or made as `key` says. */
  readonly signingKey?: TokenSigningKey;
  /** Where the signing key comes from when `signingKey` is absent (files, a directory, memory). */
  readonly key?: SigningKeyOptions;
  /** Access token lifetime in seconds. Default 300 (Docker Hub's); at least 60, as the spec asks. */
  readonly lifetimeSeconds?: number;
  /**
   * Refresh token lifetime in seconds. Default 90 days: the spec gives refresh tokens no expiry
   * (`docker login` keeps one as its identity token), but one that never ends cannot be revoked.
   */
  readonly refreshLifetimeSeconds?: number;
  /** Basic realm in the 401 for wrong credentials. Default `containerregistry`. */
  readonly realm?: string;
  /** The path served. Default `/token`. */
  readonly path?: string;
  /** Shares a password cache with the authorizer; one is made from `config.users` otherwise. */
  readonly verifier?: PasswordVerifier;
  /** The clock, in milliseconds (tests). */
  readonly now?: () => number;
}

/** A signed access token and the facts a response reports about it. */
export interface IssuedToken {
  readonly token: string;
  readonly access: readonly AccessClaim[];
  readonly expiresIn: number;
  readonly issuedAt: Date;
}

/** A running token issuer. */
export interface TokenServer {
  /**
   * Serves the token endpoint; resolves false (touching nothing) for any other path so the
   * caller can route the request elsewhere, true once it has answered. Every client mistake is
   * answered (400, 401, 405, 413); it rejects only when the request itself fails (a body whose
   * connection breaks), which the caller handles like any other broken request.
   */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  readonly signingKey: TokenSigningKey;
  readonly issuer: string;
  readonly service: string;
  /** Issues an access token without HTTP (for tests and embedding). */
  issue(account: string | undefined, scopes: readonly Scope[]): IssuedToken;
}

/** An answer other than 200, carrying what the client is told. */
class TokenRequestError extends Error {
  readonly status: number;
  readonly errorCode: string;
  constructor(status: number, errorCode: string, message: string) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }
}

/**
 * Creates the token issuer. The signing key comes from `signingKey`, else from `key` (files or a
 * directory that keeps a made key across restarts), else a new RSA key in memory.
 *
 * @example
 * const tokens = await createTokenServer({ config, service: '127.0.0.1:5000', key: { dir: stateDir } });
 * http.createServer(async (req, res) => { if (!(await tokens.handle(req, res))) route(req, res); });
 */
export async function createTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const { config, service } = options;
  const issuer = options.issuer ?? 'containerregistry';
  const lifetime = options.lifetimeSeconds ?? 300;
  if (!Number.isSafeInteger(lifetime) || lifetime < 60) {
    throw new InvalidArgumentError(`token lifetime must be a whole number of seconds, at least 60; got ${lifetime}`);
  }
  const refreshLifetime = options.refreshLifetimeSeconds ?? 90 * 86_400;
  if (!Number.isSafeInteger(refreshLifetime) || refreshLifetime < lifetime) {
    throw new InvalidArgumentError(`refresh token lifetime must be whole seconds, no shorter than the token lifetime; got ${refreshLifetime}`);
  }
  const signingKey =
    options.signingKey ??
    (await loadOrCreateSigningKey({ commonName: `${issuer} token issuer`, ...options.key }));
  const realm = options.realm ?? 'containerregistry';
  const path = options.path ?? '/token';
  const verifier = options.verifier ?? new PasswordVerifier(config.users);
  const now = options.now ?? Date.now;

  const issue = (account: string | undefined, scopes: readonly Scope[]): IssuedToken => {
    const issuedAt = new Date(now());
    const iat = Math.floor(issuedAt.getTime() / 1000);
    const access = grantAccess(config, account, scopes);
    const claims = { iss: issuer, sub: account ?? '', aud: service, exp: iat + lifetime, nbf: iat, iat, jti: jti(), access };
    return { token: signJwt(claims, signingKey), access, expiresIn: lifetime, issuedAt };
  };

  const issueRefresh = (account: string): string => {
    const iat = Math.floor(now() / 1000);
    // The audience is the issuer, the one party that consumes refresh tokens, so neither our
    // authorizer nor distribution accepts one as an access token.
    const claims = { iss: issuer, sub: account, aud: issuer, exp: iat + refreshLifetime, nbf: iat, iat, jti: jti(), use: 'refresh', service };
    return signJwt(claims, signingKey);
  };

  const redeemRefresh = (token: string): string => {
    let claims: TokenClaims | undefined;
    try {
      ({ claims } = verifyJwt(token, { keys: [signingKey.publicKey], issuer, audience: issuer, now }));
    } catch (err) {
      if (!(err instanceof InvalidTokenError)) throw err;
    }
    // A user removed from the access file loses what refresh tokens they hold.
    const sub = claims?.sub ?? '';
    if (claims?.['use'] !== 'refresh' || claims['service'] !== service || !config.users.has(sub)) {
      throw new TokenRequestError(401, 'UNAUTHORIZED', 'refresh token is invalid or expired');
    }
    return sub;
  };

  const login = async (username: string, password: string): Promise<string> => {
    if (!(await verifier.verify(username, password))) {
      throw new TokenRequestError(401, 'UNAUTHORIZED', 'invalid username or password');
    }
    return username;
  };

  const checkService = (requested: string | null): void => {
    if (requested !== null && requested !== '' && requested !== service) {
      throw new TokenRequestError(400, 'UNSUPPORTED', `this issuer serves ${JSON.stringify(service)}, not ${JSON.stringify(requested)}`);
    }
  };

  const scopesOf = (params: readonly string[]): Scope[] => {
    try {
      return parseScopes(params);
    } catch (err) {
      throw new TokenRequestError(400, 'UNSUPPORTED', (err as Error).message);
    }
  };

  const answerGet = async (req: IncomingMessage, query: URLSearchParams): Promise<Record<string, unknown>> => {
    checkService(query.get('service'));
    const scopes = scopesOf(query.getAll('scope'));
    const credentials = parseAuthorization(req.headers.authorization);
    let account: string | undefined;
    if (credentials?.scheme === 'basic') {
      account = await login(credentials.username, credentials.password);
      const claimed = query.get('account');
      if (claimed !== null && claimed !== '' && claimed !== account) {
        throw new TokenRequestError(400, 'UNSUPPORTED', `account ${JSON.stringify(claimed)} is not the user who logged in`);
      }
    } else if (credentials?.scheme === 'malformed') {
      throw new TokenRequestError(401, 'UNAUTHORIZED', 'malformed Basic credentials');
    }
    const issued = issue(account, scopes);
    const body: Record<string, unknown> = tokenBody(issued);
    if (account !== undefined && query.get('offline_token') === 'true') body['refresh_token'] = issueRefresh(account);
    return body;
  };

  const answerPost = async (req: IncomingMessage): Promise<Record<string, unknown>> => {
    // A declared oversized body is refused before any of it is read.
    if (Number(req.headers['content-length'] ?? 0) > SMALL_BODY_LIMIT) {
      throw new TokenRequestError(413, 'UNSUPPORTED', `token request body is larger than ${SMALL_BODY_LIMIT} bytes`);
    }
    let raw: Buffer;
    try {
      raw = await readAll(req, { max: SMALL_BODY_LIMIT, what: 'token request body' });
    } catch (err) {
      if (err instanceof TooLargeError) throw new TokenRequestError(413, 'UNSUPPORTED', err.message);
      throw err;
    }
    const form = new URLSearchParams(raw.toString('utf8'));
    checkService(form.get('service'));
    const scopes = scopesOf(form.getAll('scope'));
    const grantType = form.get('grant_type');
    let account: string;
    let refreshToken: string | undefined;
    if (grantType === 'password') {
      const username = form.get('username');
      const password = form.get('password');
      if (!username || password === null) {
        throw new TokenRequestError(400, 'UNSUPPORTED', 'grant_type=password needs username and password');
      }
      account = await login(username, password);
      if (form.get('access_type') === 'offline') refreshToken = issueRefresh(account);
    } else if (grantType === 'refresh_token') {
      const given = form.get('refresh_token');
      if (!given) throw new TokenRequestError(400, 'UNSUPPORTED', 'grant_type=refresh_token needs refresh_token');
      account = redeemRefresh(given);
      // The OAuth spec: a refresh grant returns the same refresh token, never a new one.
      refreshToken = given;
    } else {
      throw new TokenRequestError(400, 'UNSUPPORTED', `unsupported grant_type ${JSON.stringify(grantType)}; use password or refresh_token`);
    }
    const issued = issue(account, scopes);
    const body: Record<string, unknown> = {
      ...tokenBody(issued),
      scope: issued.access.filter((a) => a.actions.length > 0).map(formatScope).join(' '),
    };
    if (refreshToken !== undefined) body['refresh_token'] = refreshToken;
    return body;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://token.invalid');
    } catch {
      return false;
    }
    if (url.pathname !== path) return false;
    try {
      let body: Record<string, unknown>;
      if (req.method === 'GET') body = await answerGet(req, url.searchParams);
      else if (req.method === 'POST') body = await answerPost(req);
      else throw new TokenRequestError(405, 'UNSUPPORTED', `${req.method} is not supported here; use GET or POST`);
      sendJson(res, 200, body);
    } catch (err) {
      if (!(err instanceof TokenRequestError)) throw err;
      const headers: Record<string, string> = {};
      if (err.status === 401) headers['WWW-Authenticate'] = basicChallenge(realm);
      if (err.status === 405) headers['Allow'] = 'GET, POST';
      // The unread rest of a refused body must not be taken for the next request.
      if (err.status === 413) headers['Connection'] = 'close';
      sendJson(res, err.status, { errors: [{ code: err.errorCode, message: err.message }] }, headers);
    }
    return true;
  };

  return { handle, signingKey, issuer, service, issue };
}

/** The fields of a token response both forms share; `token` and `access_token` are the same. */
function tokenBody(issued: IssuedToken): Record<string, unknown> {
  return {
    token: issued.token,
    access_token: issued.token,
    expires_in: issued.expiresIn,
    issued_at: issued.issuedAt.toISOString(),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(bytes.length),
    // RFC 6749 §5.1: token responses must not be cached.
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    ...headers,
  });
  res.end(bytes);
}

function jti(): string {
  return randomBytes(16).toString('base64url');
}
