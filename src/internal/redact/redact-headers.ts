/**
 * @module Hiding credentials in HTTP headers before they are logged (ggcr's debug transport
 * redacts `Authorization`; we cover every header that carries credentials or signed URLs).
 */
import { REDACTED, redactURL } from './redact-url.ts';

/** Headers whose values are credentials and are replaced whole. */
const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'cookie',
  'set-cookie',
  // The Docker Engine API's base64 JSON credentials (`docker push`, `docker pull` via the daemon).
  'x-registry-auth',
  'x-registry-config',
]);

/** Headers whose scheme is useful to see (`Basic`, `Bearer`) but whose token is not. */
const AUTH_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization']);

/** Headers holding URLs, which may be signed (`Location` of a blob redirect) or carry tokens. */
const URL_HEADERS: ReadonlySet<string> = new Set(['location', 'content-location']);

/** Header shapes accepted: a fetch `Headers`, Node's header objects, or `[name, value]` pairs. */
export type HeadersLike =
  | Headers
  | Iterable<readonly [string, string]>
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

function redactValue(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (SECRET_HEADERS.has(lower)) return REDACTED;
  if (AUTH_HEADERS.has(lower)) {
    const space = value.indexOf(' ');
    return space > 0 ? `${value.slice(0, space)} ${REDACTED}` : REDACTED;
  }
  if (URL_HEADERS.has(lower)) return redactURL(value);
  // RFC 8288 links (`</v2/…/tags/list?n=100&last=x>; rel="next"`): redact each target.
  if (lower === 'link') return value.replace(/<([^>]*)>/g, (_, target: string) => `<${redactURL(target)}>`);
  return value;
}

/**
 * A copy of `headers` that is safe to log: `Authorization` and `Proxy-Authorization` keep only
 * their scheme (`Bearer REDACTED`); `Cookie`, `Set-Cookie`, `X-Registry-Auth` and
 * `X-Registry-Config` become `REDACTED`; URLs in `Location`, `Content-Location` and `Link` go
 * through `redactURL`. Names keep their spelling; undefined values are dropped.
 *
 * @example
 * logger.debug(redactHeaders(request.headers));
 */
export function redactHeaders(headers: HeadersLike): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const entries: Iterable<readonly [string, unknown]> =
    Symbol.iterator in headers ? (headers as Iterable<readonly [string, string]>) : Object.entries(headers);
  for (const [name, value] of entries) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      out[name] = value.map((v) => redactValue(name, String(v)));
    } else if (name in out) {
      // Repeated names in pair lists (`Set-Cookie`) are collected, not overwritten.
      const prior = out[name]!;
      out[name] = [...(Array.isArray(prior) ? prior : [prior]), redactValue(name, String(value))];
    } else {
      out[name] = redactValue(name, String(value));
    }
  }
  return out;
}
