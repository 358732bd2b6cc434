/**
 * @module One place that turns an auth settings file into what the registry server needs: the
 * authorizer and, in token mode, the token server mounted at `/token`. Used by
 * `crane registry serve --auth-config` and by library users alike.
 *
 * The file is the access file (`users` or `htpasswd`, and `access` rules) plus two fields:
 * `"mode": "basic" | "token"` (default `basic`) and, for token mode, `"token": { "service",
 * "issuer", "keyDir", "certFile", "keyFile", "keyType", "lifetimeSeconds" }`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BadDocumentError } from '../../errors/index.ts';
import { parseAuthConfig, type AuthConfig } from './access.ts';
import { createAuthorizer, type Authorizer } from './authorize.ts';
import { PasswordVerifier } from './htpasswd.ts';
import { createTokenServer, type TokenServer } from './token-server.ts';

export interface TokenSettings {
  /** Tokens' audience and the challenges' `service`. Default `containerregistry`. */
  readonly service?: string;
  /** Tokens' `iss`. Default `containerregistry`. */
  readonly issuer?: string;
  /** Where a generated signing key and certificate are kept across restarts; default: memory only. */
  readonly keyDir?: string;
  /** A given certificate and key (PEM) instead of a generated one. */
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly keyType?: 'rsa' | 'ec';
  readonly lifetimeSeconds?: number;
}

export interface ServerAuth {
  readonly authorize: Authorizer;
  /** The token endpoint, in token mode. */
  readonly extraRoutes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  readonly tokenServer?: TokenServer;
}

/** Builds the server's auth from an access config and a mode. */
export async function serverAuth(config: AuthConfig, mode: 'basic' | 'token', token: TokenSettings = {}): Promise<ServerAuth> {
  const verifier = new PasswordVerifier(config.users);
  if (mode === 'basic') return { authorize: createAuthorizer({ mode: 'basic', config, verifier }) };
  const service = token.service ?? 'containerregistry';
  const issuer = token.issuer ?? 'containerregistry';
  const tokenServer = await createTokenServer({
    config,
    service,
    issuer,
    verifier,
    key: {
      ...(token.keyDir ? { dir: token.keyDir } : {}),
      ...(token.certFile ? { certPath: token.certFile } : {}),
      ...(token.keyFile ? { keyPath: token.keyFile } : {}),
      ...(token.keyType ? { keyType: token.keyType } : {}),
    },
    ...(token.lifetimeSeconds ? { lifetimeSeconds: token.lifetimeSeconds } : {}),
  });
  const authorize = createAuthorizer({
    mode: 'token',
    service,
    issuer,
    config,
    trustedKeys: [tokenServer.signingKey.publicKey],
    // The realm is this server's own /token, under whatever name the client reached it by.
    realm: (req) => {
      const tls = (req as { socket?: { encrypted?: boolean } }).socket?.encrypted === true;
      return `${tls ? 'https' : 'http'}://${req.headers.host ?? '127.0.0.1'}/token`;
    },
  });
  return { authorize, extraRoutes: (req, res) => tokenServer.handle(req, res), tokenServer };
}

/** Reads an auth settings file (see the module header) and builds the server's auth. */
export async function serverAuthFromFile(path: string): Promise<ServerAuth> {
  // Read outside the parse: a missing or unreadable file is that, not "not JSON".
  const text = await readFile(path, 'utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BadDocumentError(`auth config ${path} is not JSON: ${(err as Error).message}`, '', { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new BadDocumentError(`auth config ${path} must hold a JSON object`);
  const { mode = 'basic', token, ...access } = doc as Record<string, unknown>;
  if (mode !== 'basic' && mode !== 'token') throw new BadDocumentError(`mode must be "basic" or "token", got ${JSON.stringify(mode)}`, 'mode');
  const base = dirname(resolve(path));
  const settings = tokenSettings(token, path);
  const abs = (p: string | undefined) => (p ? resolve(base, p) : undefined);
  const resolved: TokenSettings = {
    ...settings,
    ...(settings.keyDir ? { keyDir: abs(settings.keyDir)! } : {}),
    ...(settings.certFile ? { certFile: abs(settings.certFile)! } : {}),
    ...(settings.keyFile ? { keyFile: abs(settings.keyFile)! } : {}),
  };
  return serverAuth(await parseAuthConfig(access, base, path), mode, resolved);
}

const STRING_SETTINGS = ['service', 'issuer', 'keyDir', 'certFile', 'keyFile'] as const;

/** The `token` object, checked field by field as the access file is: a typo is an error, not a default. */
function tokenSettings(value: unknown, path: string): TokenSettings {
  if (value === undefined || value === null) return {};
  const fail = (message: string, at: string) => new BadDocumentError(`${message} in ${path}`, at);
  if (typeof value !== 'object' || Array.isArray(value)) throw fail('must be an object', 'token');
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if ((STRING_SETTINGS as readonly string[]).includes(key)) {
      if (typeof v !== 'string' || v === '') throw fail('must be a non-empty string', `token.${key}`);
    } else if (key === 'keyType') {
      if (v !== 'rsa' && v !== 'ec') throw fail('must be "rsa" or "ec"', 'token.keyType');
    } else if (key === 'lifetimeSeconds') {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw fail('must be a positive whole number of seconds', 'token.lifetimeSeconds');
    } else {
      throw fail(`unknown setting (known: ${[...STRING_SETTINGS, 'keyType', 'lifetimeSeconds'].join(', ')})`, `token.${key}`);
    }
    out[key] = v;
  }
  return out as TokenSettings;
}
