/**
 * @module Reading `Authorization` request headers (Basic, Bearer) and writing
 * `WWW-Authenticate` challenges in the exact form distribution sends (RFC 7617, RFC 6750 §3).
 */

/** What an `Authorization` header holds. */
export type Authorization =
  | { readonly scheme: 'basic'; readonly username: string; readonly password: string }
  | { readonly scheme: 'bearer'; readonly token: string }
  /** A Basic or Bearer header whose value does not decode. */
  | { readonly scheme: 'malformed' }
  /** Some other scheme (Digest, Negotiate, …). */
  | { readonly scheme: 'other' };

/**
 * Parses an `Authorization` header; undefined when there is none. Scheme names are
 * case-insensitive. Basic credentials are `base64(user:password)` in UTF-8, split at the
 * first `:` (a password may contain more).
 */
export function parseAuthorization(header: string | readonly string[] | undefined): Authorization | undefined {
  if (header === undefined) return undefined;
  const value = (typeof header === 'string' ? header : header[0] ?? '').trim();
  if (value === '') return undefined;
  const space = value.indexOf(' ');
  const scheme = (space < 0 ? value : value.slice(0, space)).toLowerCase();
  const rest = space < 0 ? '' : value.slice(space + 1).trim();
  if (scheme === 'bearer') return rest === '' ? { scheme: 'malformed' } : { scheme: 'bearer', token: rest };
  if (scheme !== 'basic') return { scheme: 'other' };
  if (!/^[A-Za-z0-9+/]+=*$/.test(rest)) return { scheme: 'malformed' };
  const decoded = Buffer.from(rest, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { scheme: 'malformed' };
  return { scheme: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** A quoted-string as Go's `%q` writes it for the ASCII we use: `"` and `\` escaped. */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** `Basic realm="…"`, distribution's htpasswd challenge. */
export function basicChallenge(realm: string): string {
  return `Basic realm=${quote(realm)}`;
}

/** The parameters of a Bearer challenge. */
export interface BearerChallenge {
  /** The token endpoint URL. */
  readonly realm: string;
  readonly service: string;
  /** Space-separated scopes the request needs; left out when empty (`GET /v2/`). */
  readonly scope?: string;
  readonly error?: 'invalid_token' | 'insufficient_scope';
}

/**
 * `Bearer realm="…",service="…"[,scope="…"][,error="…"]`, byte for byte what distribution's
 * token access controller writes, which Docker, containerd and ggcr parse.
 */
export function bearerChallenge(challenge: BearerChallenge): string {
  let text = `Bearer realm=${quote(challenge.realm)},service=${quote(challenge.service)}`;
  if (challenge.scope !== undefined && challenge.scope !== '') text += `,scope=${quote(challenge.scope)}`;
  if (challenge.error !== undefined) text += `,error=${quote(challenge.error)}`;
  return text;
}
