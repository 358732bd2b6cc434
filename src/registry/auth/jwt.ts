/**
 * @module JSON Web Tokens as the Docker token spec uses them (RFC 7519 compact JWS): signing
 * with RS256 or ES256 and a header distribution can check (`x5c` with our certificate, `kid` the
 * libtrust key id), and verification with an algorithm allow-list, trusted keys only, issuer,
 * audience and time checks.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { InvalidArgumentError, InvalidTokenError } from '../../errors/index.ts';

/** The signing algorithms distribution and Docker clients handle that we issue. */
export type JwtAlgorithm = 'RS256' | 'ES256';

/** One entry of a token's `access` claim (distribution's `ResourceActions`). */
export interface AccessClaim {
  readonly type: string;
  /** `plugin` in `repository(plugin):name:pull`; absent for plain scopes. */
  readonly class?: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** The claims of a registry access token. Numbers are seconds since the epoch. */
export interface TokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | readonly string[];
  readonly exp: number;
  readonly nbf?: number;
  readonly iat?: number;
  readonly jti?: string;
  readonly access?: readonly AccessClaim[];
  readonly [claim: string]: unknown;
}

export interface JwtHeader {
  readonly typ?: string;
  readonly alg: string;
  readonly kid?: string;
  readonly x5c?: readonly string[];
  readonly [field: string]: unknown;
}

/** What {@link signJwt} needs: the key, its algorithm, and what the header should carry. */
export interface JwtSigner {
  readonly alg: JwtAlgorithm;
  readonly privateKey: KeyObject;
  /** DER certificate of the key, sent as the one-element `x5c` chain when given. */
  readonly certDer?: Buffer;
  /** Key id for the header; see {@link libtrustKeyId}. */
  readonly kid?: string;
}

/** Options for {@link verifyJwt}. */
export interface VerifyJwtOptions {
  /** Public keys whose signatures are trusted; the header's `x5c`/`jwk` are never trusted. */
  readonly keys: readonly KeyObject[];
  readonly issuer: string;
  readonly audience: string;
  /** Default both RS256 and ES256; anything else (`none`, `HS256`) is always refused. */
  readonly algorithms?: readonly JwtAlgorithm[];
  /** Slack for `exp` and `nbf`. Default 60 s, distribution's `Leeway`. */
  readonly clockSkewSeconds?: number;
  /** The clock, in milliseconds (tests). */
  readonly now?: () => number;
}

/** Longest token accepted: the 64 KiB cap DESIGN.md sets for tokens. */
const MAX_TOKEN_LENGTH = 64 * 1024;

/**
 * Signs `claims` into a compact JWT with header `{typ, alg, kid?, x5c?}`. ES256 signatures are
 * in JOSE form (r‖s, 64 bytes), not DER.
 *
 * @example
 * const jwt = signJwt({ iss, sub, aud, exp, nbf, iat, jti, access }, { alg: 'RS256', privateKey, certDer, kid });
 */
export function signJwt(claims: Readonly<Record<string, unknown>>, signer: JwtSigner): string {
  if (algorithmFor(signer.privateKey) !== signer.alg) {
    throw new InvalidArgumentError(`cannot sign ${signer.alg} with a ${describeKey(signer.privateKey)} key`);
  }
  const header: Record<string, unknown> = { typ: 'JWT', alg: signer.alg };
  if (signer.kid !== undefined) header['kid'] = signer.kid;
  if (signer.certDer !== undefined) header['x5c'] = [signer.certDer.toString('base64')];
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature =
    signer.alg === 'ES256'
      ? sign('sha256', Buffer.from(signingInput), { key: signer.privateKey, dsaEncoding: 'ieee-p1363' })
      : sign('sha256', Buffer.from(signingInput), signer.privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/**
 * Verifies `token` and returns its header and claims. Fails with `InvalidTokenError` saying which
 * check failed: shape, algorithm, signature (against `keys` only), issuer, audience, expiry or
 * not-before (each with `clockSkewSeconds` of slack), or a malformed `access` claim.
 */
export function verifyJwt(token: string, options: VerifyJwtOptions): { header: JwtHeader; claims: TokenClaims } {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
    throw new InvalidTokenError(`token is not a string of at most ${MAX_TOKEN_LENGTH} characters`);
  }
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) {
    throw new InvalidTokenError('token is not a compact JWS (three base64url parts separated by dots)');
  }
  const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart, 'header');
  const alg = header['alg'];
  const allowed = options.algorithms ?? ['RS256', 'ES256'];
  if (typeof alg !== 'string' || !(allowed as readonly string[]).includes(alg)) {
    throw new InvalidTokenError(`token algorithm ${JSON.stringify(alg)} is not allowed; expected ${allowed.join(' or ')}`);
  }
  const signingInput = Buffer.from(`${headerPart}.${claimsPart}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  const candidates = options.keys.filter((key) => algorithmFor(key) === alg);
  const good = candidates.some((key) =>
    alg === 'ES256'
      ? signature.length === 64 && verify('sha256', signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature)
      : verify('sha256', signingInput, key, signature),
  );
  if (!good) {
    throw new InvalidTokenError(
      candidates.length === 0 ? `no trusted key signs with ${alg}` : 'token signature does not verify with any trusted key',
    );
  }

  const claims = decodeJson(claimsPart, 'claims');
  if (claims['iss'] !== options.issuer) {
    throw new InvalidTokenError(`token issuer ${JSON.stringify(claims['iss'])} is not ${JSON.stringify(options.issuer)}`);
  }
  const aud = claims['aud'];
  if (!(aud === options.audience || (Array.isArray(aud) && aud.includes(options.audience)))) {
    throw new InvalidTokenError(`token audience ${JSON.stringify(aud)} does not include ${JSON.stringify(options.audience)}`);
  }
  const now = (options.now ?? Date.now)() / 1000;
  const skew = options.clockSkewSeconds ?? 60;
  const exp = claims['exp'];
  if (typeof exp !== 'number') throw new InvalidTokenError('token has no numeric "exp" claim');
  if (now > exp + skew) throw new InvalidTokenError(`token expired at ${new Date(exp * 1000).toISOString()}`);
  const nbf = claims['nbf'];
  if (nbf !== undefined && typeof nbf !== 'number') throw new InvalidTokenError('token "nbf" claim is not a number');
  if (nbf !== undefined && now < nbf - skew) {
    throw new InvalidTokenError(`token is not valid before ${new Date(nbf * 1000).toISOString()}`);
  }
  if (claims['sub'] !== undefined && typeof claims['sub'] !== 'string') throw new InvalidTokenError('token "sub" claim is not a string');
  const access = claims['access'] ?? [];
  checkAccess(access);
  return { header: header as JwtHeader, claims: { ...claims, sub: claims['sub'] ?? '', access } as TokenClaims };
}

/** The algorithm a key signs with here: RS256 for RSA, ES256 for EC P-256, else undefined. */
export function algorithmFor(key: KeyObject): JwtAlgorithm | undefined {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  return undefined;
}

/**
 * The libtrust key id distribution and Docker compute for a key: SHA-256 of the DER
 * SubjectPublicKeyInfo, first 240 bits, base32 without padding, in 12 groups of 4 joined by
 * `:` (`ABCD:EFGH:…`). Accepts a public or private key.
 */
export function libtrustKeyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const digest = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest();
  return base32(digest.subarray(0, 30)).match(/.{4}/g)!.join(':');
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, unpadded (the input here is a multiple of 5 bytes, so none is needed). */
function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidTokenError(`token ${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidTokenError(`token ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function checkAccess(access: unknown): void {
  if (!Array.isArray(access)) throw new InvalidTokenError('token "access" claim is not a list');
  access.forEach((entry: unknown, i) => {
    const e = entry as Record<string, unknown> | null;
    const ok =
      typeof e === 'object' &&
      e !== null &&
      typeof e['type'] === 'string' &&
      typeof e['name'] === 'string' &&
      Array.isArray(e['actions']) &&
      (e['actions'] as unknown[]).every((a) => typeof a === 'string');
    if (!ok) throw new InvalidTokenError(`token access[${i}] is not {type, name, actions: string[]}`);
  });
}

function describeKey(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return curve ? `${key.asymmetricKeyType} ${curve}` : String(key.asymmetricKeyType);
}
