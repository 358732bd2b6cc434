/**
 * @module The check the registry's HTTP layer makes on every request: may this request do what
 * it needs (pull, push or delete in a repository, list the catalog, or just reach `/v2/`)? Three
 * modes: `none` (everything allowed), `basic` (htpasswd users and the access file) and `token`
 * (our own JWTs, with distribution's challenges so Docker, containerd and ggcr fetch tokens).
 */
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { InvalidArgumentError, InvalidTokenError } from '../../errors/index.ts';
import { allowedActions, catalogAllowed, REPOSITORY_ACTIONS, type AuthConfig, type RepositoryAction } from './access.ts';
import { basicChallenge, bearerChallenge, parseAuthorization } from './auth-header.ts';
import { PasswordVerifier } from './htpasswd.ts';
import { verifyJwt, type AccessClaim, type TokenClaims } from './jwt.ts';

/**
 * What a request needs. `{ actions: [] }` alone is the `/v2/` base check, which passes for any
 * logged-in client and challenges anonymous ones (that is how clients learn where to log in).
 */
export interface RegistryNeed {
  readonly repository?: string;
  readonly actions: readonly RepositoryAction[];
  /** `GET /v2/_catalog`: the `registry:catalog:*` scope. */
  readonly catalog?: boolean;
}

/** The verdict; on refusal, what to answer (status, `WWW-Authenticate`, error code and message). */
export type AuthorizeResult =
  | { readonly ok: true; readonly account?: string }
  | {
      readonly ok: false;
      readonly status: 401 | 403;
      /** The `WWW-Authenticate` value; send it with a 401. */
      readonly challenge: string;
      readonly message: string;
      readonly code: 'UNAUTHORIZED' | 'DENIED';
    };

/** The request as the authorizer reads it: only its headers. */
export type AuthorizeRequest = Pick<IncomingMessage, 'headers'>;

/** Options for {@link createAuthorizer}, one shape per mode. */
export type AuthorizerOptions =
  | { readonly mode: 'none' }
  | {
      readonly mode: 'basic';
      readonly config: AuthConfig;
      /** Basic realm. Default `containerregistry`. */
      readonly realm?: string;
      readonly verifier?: PasswordVerifier;
    }
  | {
      readonly mode: 'token';
      /** The token endpoint's URL for challenges, or a function of the request giving it. */
      readonly realm: string | ((req: AuthorizeRequest) => string);
      /** Tokens' audience; also the challenge's `service`. */
      readonly service: string;
      /** Tokens' issuer. Default `containerregistry`, the token server's default. */
      readonly issuer?: string;
      /** Keys whose tokens are trusted (the token server's `signingKey.publicKey`). */
      readonly trustedKeys: readonly KeyObject[];
      /** When given, requests without a token get what it allows `anonymous`, without a round trip. */
      readonly config?: AuthConfig;
      readonly clockSkewSeconds?: number;
      readonly now?: () => number;
    };

/** Decides one request; never throws for a client's mistake. */
export type Authorizer = (req: AuthorizeRequest, need: RegistryNeed) => Promise<AuthorizeResult>;

const ALLOWED: AuthorizeResult = Object.freeze({ ok: true });

/**
 * Creates the authorizer for a mode.
 *
 * @example
 * const authorize = createAuthorizer({ mode: 'basic', config: await loadAuthConfig('access.json') });
 * const verdict = await authorize(req, { repository: 'team/app', actions: ['pull', 'push'] });
 * if (!verdict.ok) { res.setHeader('WWW-Authenticate', verdict.challenge); … }
 */
export function createAuthorizer(options: AuthorizerOptions): Authorizer {
  if (options.mode === 'none') return async () => ALLOWED;
  if (options.mode === 'basic') return basicAuthorizer(options);
  return tokenAuthorizer(options);
}

function basicAuthorizer(options: Extract<AuthorizerOptions, { mode: 'basic' }>): Authorizer {
  const { config } = options;
  const challenge = basicChallenge(options.realm ?? 'containerregistry');
  const verifier = options.verifier ?? new PasswordVerifier(config.users);
  const refuse = (status: 401 | 403, message: string): AuthorizeResult => ({
    ok: false,
    status,
    challenge,
    message,
    code: status === 401 ? 'UNAUTHORIZED' : 'DENIED',
  });
  return async (req, need) => {
    checkNeed(need);
    const credentials = parseAuthorization(req.headers.authorization);
    if (credentials?.scheme === 'malformed') return refuse(401, 'malformed credentials');
    if (credentials?.scheme === 'basic') {
      const { username, password } = credentials;
      if (!(await verifier.verify(username, password))) return refuse(401, 'invalid username or password');
      const missing = missingRights(config, username, need);
      return missing === undefined ? { ok: true, account: username } : refuse(403, `${username} may not ${missing}`);
    }
    if (isBaseCheck(need) || missingRights(config, undefined, need) !== undefined) {
      return refuse(401, 'authentication required');
    }
    return ALLOWED;
  };
}

function tokenAuthorizer(options: Extract<AuthorizerOptions, { mode: 'token' }>): Authorizer {
  const { service, config } = options;
  const issuer = options.issuer ?? 'containerregistry';
  const realmOf = typeof options.realm === 'string' ? () => options.realm as string : options.realm;
  return async (req, need) => {
    checkNeed(need);
    const refuse = (message: string, error?: 'invalid_token' | 'insufficient_scope'): AuthorizeResult => ({
      ok: false,
      status: 401,
      challenge: bearerChallenge({ realm: realmOf(req), service, scope: scopeParam(need), ...(error ? { error } : {}) }),
      message,
      code: 'UNAUTHORIZED',
    });
    const credentials = parseAuthorization(req.headers.authorization);
    if (credentials?.scheme !== 'bearer') {
      const anonymousOk = config !== undefined && !isBaseCheck(need) && missingRights(config, undefined, need) === undefined;
      return anonymousOk ? ALLOWED : refuse('authorization token required');
    }
    let claims: TokenClaims;
    try {
      ({ claims } = verifyJwt(credentials.token, {
        keys: options.trustedKeys,
        issuer,
        audience: service,
        ...(options.clockSkewSeconds !== undefined ? { clockSkewSeconds: options.clockSkewSeconds } : {}),
        ...(options.now ? { now: options.now } : {}),
      }));
    } catch (err) {
      if (err instanceof InvalidTokenError) return refuse(err.message, 'invalid_token');
      throw err;
    }
    // A refresh token is signed by the same key; it is for the token endpoint only.
    if (claims['use'] === 'refresh') return refuse('a refresh token is not an access token', 'invalid_token');
    const missing = missingFromToken(claims.access ?? [], need);
    if (missing !== undefined) return refuse(`insufficient scope: the token does not allow ${missing}`, 'insufficient_scope');
    return claims.sub === '' ? ALLOWED : { ok: true, account: claims.sub };
  };
}

function checkNeed(need: RegistryNeed): void {
  if (need.actions.length > 0 && need.repository === undefined) {
    throw new InvalidArgumentError('a need with actions must name its repository');
  }
}

function isBaseCheck(need: RegistryNeed): boolean {
  return need.actions.length === 0 && need.catalog !== true;
}

/** What the access file does not let `account` do, as words for a message; undefined if nothing. */
function missingRights(config: AuthConfig, account: string | undefined, need: RegistryNeed): string | undefined {
  if (need.catalog === true && !catalogAllowed(config, account)) return 'list the catalog';
  if (need.repository === undefined || need.actions.length === 0) return undefined;
  const allowed = allowedActions(config, account, need.repository);
  const missing = need.actions.filter((a) => !allowed.has(a));
  return missing.length === 0 ? undefined : `${[...new Set(missing)].join(', ')} in ${JSON.stringify(need.repository)}`;
}

/** What the token's `access` claim lacks for `need`, as words; undefined if nothing. */
function missingFromToken(access: readonly AccessClaim[], need: RegistryNeed): string | undefined {
  const actionsOn = (type: string, name: string): Set<string> =>
    new Set(access.filter((a) => a.type === type && a.name === name).flatMap((a) => a.actions));
  if (need.catalog === true && !actionsOn('registry', 'catalog').has('*')) return 'listing the catalog';
  if (need.repository === undefined || need.actions.length === 0) return undefined;
  const granted = actionsOn('repository', need.repository);
  // distribution's action sets treat `*` as every action.
  const missing = need.actions.filter((a) => !granted.has(a) && !granted.has('*'));
  return missing.length === 0 ? undefined : `${[...new Set(missing)].join(', ')} in ${JSON.stringify(need.repository)}`;
}

/** The challenge's `scope`: what this request needs, in the spec's grammar. */
function scopeParam(need: RegistryNeed): string {
  const scopes: string[] = [];
  if (need.repository !== undefined && need.actions.length > 0) {
    const actions = REPOSITORY_ACTIONS.filter((a) => need.actions.includes(a));
    scopes.push(`repository:${need.repository}:${actions.join(',')}`);
  }
  if (need.catalog === true) scopes.push('registry:catalog:*');
  return scopes.join(' ');
}
