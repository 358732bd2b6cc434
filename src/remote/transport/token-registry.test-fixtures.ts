/**
 * @module A small fake registry with its own Docker token server at `/token`, for the bearer
 * tests: tokens carry the scopes they were issued for, may expire, and are refused with the
 * challenges distribution sends (`invalid_token`, `insufficient_scope`). Knobs make it misbehave.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basicHeader, json, startServer, type Seen, type TestServer } from './servers.test-fixtures.ts';

export interface FakeRegistryOptions {
  /** Users allowed to push; token requests with wrong credentials get 401. */
  readonly users?: Readonly<Record<string, string>>;
  /** Refresh tokens accepted by the OAuth2 POST, mapped to the user they stand for. */
  readonly identityTokens?: Readonly<Record<string, string>>;
  /** Answer OAuth2 POSTs with 404 (a server that only knows the GET). */
  readonly noOAuth?: boolean;
  /** Token lifetime in seconds, enforced; omitted from the answer when undefined. */
  readonly expiresIn?: number;
  /** Whether the 401 for an expired token carries a challenge. Default true. */
  readonly challengeExpired?: boolean;
  /** Answer `access_token` instead of `token`. */
  readonly accessTokenField?: boolean;
  /** Realm to announce; default this server's `/token`. */
  readonly realm?: (self: TestServer) => string;
  /** Handles a request first; return true when it did. */
  readonly route?: (req: IncomingMessage & { body: string }, res: ServerResponse, self: FakeRegistry) => boolean;
}

export interface FakeRegistry extends TestServer {
  /** Token requests received (GET and POST). */
  readonly tokenRequests: Seen[];
  /** Registry requests received with the token they carried. */
  readonly registryRequests: Seen[];
  /** Every issued token and its scopes. */
  readonly issued: Map<string, { scopes: string[]; user: string | undefined; expiresAt: number | undefined }>;
  /** Makes every issued token invalid (a key rotation). */
  revokeAll(): void;
}

/** The scope actions a request needs: reads need pull, everything else push. */
function needed(req: IncomingMessage): { name: string; action: string } | undefined {
  const m = /^\/v2\/(.+?)\/(manifests|blobs|tags)\//.exec(req.url ?? '');
  if (!m) return undefined;
  return { name: m[1]!, action: req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'push' };
}

export async function startFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const tokenRequests: Seen[] = [];
  const registryRequests: Seen[] = [];
  const issued: FakeRegistry['issued'] = new Map();
  let counter = 0;
  let self!: FakeRegistry;

  const challenge = (scope: string | undefined, error?: string) =>
    `Bearer realm="${options.realm ? options.realm(self) : `${self.url}/token`}",service="fake"` +
    (scope ? `,scope="${scope}"` : '') +
    (error ? `,error="${error}"` : '');

  const issue = (res: ServerResponse, scopes: string[], user: string | undefined, refresh?: string) => {
    const token = `tok-${++counter}`;
    const expiresAt = options.expiresIn === undefined ? undefined : Date.now() + options.expiresIn * 1000;
    issued.set(token, { scopes, user, expiresAt });
    json(res, 200, {
      [options.accessTokenField ? 'access_token' : 'token']: token,
      ...(options.expiresIn !== undefined ? { expires_in: options.expiresIn } : {}),
      ...(refresh ? { refresh_token: refresh } : {}),
    });
  };

  const tokenEndpoint = (req: IncomingMessage & { body: string }, res: ServerResponse) => {
    tokenRequests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: req.body });
    const url = new URL(req.url ?? '/', self.url);
    if (req.method === 'POST') {
      if (options.noOAuth) return json(res, 404, { errors: [{ code: 'UNSUPPORTED', message: 'no oauth here' }] });
      const form = new URLSearchParams(req.body);
      const user = options.identityTokens?.[form.get('refresh_token') ?? ''];
      if (form.get('grant_type') !== 'refresh_token' || !user) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad refresh token' }] });
      const rotated = `refresh-${counter + 1}`;
      (options.identityTokens as Record<string, string>)[rotated] = user;
      return issue(res, (form.get('scope') ?? '').split(' ').filter(Boolean), user, rotated);
    }
    let user: string | undefined;
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      user = Object.entries(options.users ?? {}).find(([u, p]) => basicHeader(u, p) === auth)?.[0];
      if (!user) return json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'wrong credentials' }] });
    }
    const scopes = url.searchParams.getAll('scope');
    // Anonymous callers get pull only.
    return issue(res, user ? scopes : scopes.map((s) => s.replace(/:[^:]*$/, ':pull')), user);
  };

  const server = await startServer((req, res) => {
    if (options.route?.(req, res, self)) return;
    if ((req.url ?? '').startsWith('/token')) return tokenEndpoint(req, res);
    registryRequests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: req.body });
    const presented = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const grant = presented === undefined ? undefined : issued.get(presented);
    const need = needed(req);
    const scope = need ? `repository:${need.name}:${need.action === 'pull' ? 'pull' : 'pull,push'}` : undefined;
    if (!grant) {
      res.writeHead(401, { 'www-authenticate': challenge(scope, presented ? 'invalid_token' : undefined), 'content-type': 'application/json' });
      return res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    }
    if (grant.expiresAt !== undefined && Date.now() > grant.expiresAt) {
      res.writeHead(401, options.challengeExpired === false ? {} : { 'www-authenticate': challenge(scope, 'invalid_token') });
      return res.end();
    }
    if (need) {
      const ok = grant.scopes.some((s) => {
        const [type, name, actions] = [s.slice(0, s.indexOf(':')), s.slice(s.indexOf(':') + 1, s.lastIndexOf(':')), s.slice(s.lastIndexOf(':') + 1)];
        return type === 'repository' && name === need.name && actions.split(',').includes(need.action);
      });
      if (!ok) {
        res.writeHead(401, { 'www-authenticate': challenge(scope, 'insufficient_scope') });
        return res.end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'insufficient scope' }] }));
      }
    }
    json(res, 200, { ok: true, url: req.url });
  });
  self = Object.assign(server, {
    tokenRequests,
    registryRequests,
    issued,
    revokeAll: () => issued.clear(),
  });
  return self;
}
