/**
 * @module Hiding secrets in URLs before they reach a log line or an error message (ggcr's
 * `redact.URL`). Registries redirect blob reads to storage with signed query strings
 * (`X-Amz-Signature=…`, `sig=…`) and token servers may carry credentials in queries; only the
 * parameters the registry protocol itself uses are known to be harmless.
 */

/**
 * Query keys shown as they are: those we send as part of the registry protocol (token exchange:
 * `scope`, `service`; cross-repo mount: `mount`, `from`; upload PUT: `digest`; tag and catalog
 * listing: `n`, `last`). Every other value is probably from a redirect and may be a secret.
 */
export const QUERY_ALLOWLIST: ReadonlySet<string> = new Set(['scope', 'service', 'mount', 'from', 'digest', 'n', 'last']);

/** The text that replaces a hidden value. */
export const REDACTED = 'REDACTED';

// Resolves relative references (a `Location: /v2/…?_state=…`) so their queries are redacted too.
const RELATIVE_BASE = 'http://relative.invalid';

/**
 * Returns `url` with every query value whose key is not in `QUERY_ALLOWLIST` replaced by
 * `REDACTED`, and any userinfo (`user:password@`) replaced by `REDACTED@`. Relative references
 * stay relative. A string that does not parse as a URL loses everything from its `?` on.
 *
 * @example
 * redactURL('https://s3.example/blob?X-Amz-Signature=abc&digest=sha256:1');
 * // 'https://s3.example/blob?X-Amz-Signature=REDACTED&digest=sha256%3A1'
 */
export function redactURL(url: string | URL): string {
  const text = String(url);
  let u: URL;
  let relative = false;
  try {
    u = new URL(text);
  } catch {
    try {
      u = new URL(text, RELATIVE_BASE);
      relative = true;
    } catch {
      const q = text.indexOf('?');
      return q < 0 ? text : `${text.slice(0, q)}?${REDACTED}`;
    }
  }
  if (u.username || u.password) {
    u.username = REDACTED;
    u.password = '';
  }
  if (u.search) {
    const redacted = new URLSearchParams();
    for (const [key, value] of u.searchParams) redacted.append(key, QUERY_ALLOWLIST.has(key) ? value : REDACTED);
    u.search = redacted.toString();
  }
  return relative ? `${u.pathname}${u.search}${u.hash}` : u.href;
}
