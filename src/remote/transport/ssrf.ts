/**
 * @module The SSRF guards: a registry (or whoever answers in its name) must not be able to point
 * us, with or without its credentials, at addresses inside our own network. Used for redirects,
 * token realms and, by `remote`, upload `Location`s, `Link` pages and foreign-layer URLs.
 */
import { UnsafeURLError } from './errors.ts';
import { canonicalAddress, hostnameOf, isRestrictedIP, urlAddress } from './host.ts';
import { redactURL } from '../../internal/redact/index.ts';

function parse(url: string | URL, base?: string | URL): URL | undefined {
  try {
    return new URL(url, base);
  } catch {
    return undefined;
  }
}

/**
 * Checks a redirect (or any URL a registry hands us) from `from` to `to`, `to` resolved against
 * `from` when relative, and returns it parsed. Refused with `UnsafeURLError`: a scheme other than
 * http or https; a different host that is a loopback, private, link-local or unspecified IP
 * literal, unless it is the registry's own host (`registryHost`, `host[:port]`), where such
 * addresses are normal (a registry on 127.0.0.1 redirecting to another port of itself).
 *
 * @example
 * const next = checkRedirect(current, response.headers.location, 'gcr.io');
 */
export function checkRedirect(from: string | URL, to: string | URL, registryHost: string): URL {
  const source = parse(from);
  const target = source ? parse(to, source) : parse(to);
  if (!target) throw new UnsafeURLError(`refusing to follow ${JSON.stringify(redactURL(String(to)))}: not a URL`);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new UnsafeURLError(`refusing to follow ${redactURL(target)}: scheme ${target.protocol} is not http or https`);
  }
  const host = hostnameOf(target.host);
  if (source && hostnameOf(source.host) === host) return target;
  if (isRestrictedIP(host) && host !== hostnameOf(registryHost)) {
    throw new UnsafeURLError(
      `refusing to follow ${redactURL(target)}${source ? ` from ${redactURL(source)}` : ''}: ` +
        `${host} is a loopback, private, link-local or unspecified address`,
    );
  }
  return target;
}

/**
 * Validates a token realm from a `WWW-Authenticate` challenge of `registryHost` (ggcr's
 * `validateRealmURL`, #2258): https, or http when the registry itself is spoken to over http
 * (`allowHttp`); and unless it is on the registry's own `host[:port]`, not a restricted IP
 * literal. Returns the parsed realm; refuses with `UnsafeURLError`.
 */
export function validateRealm(realm: string, registryHost: string, allowHttp: boolean): URL {
  const url = parse(realm);
  if (!url) throw new UnsafeURLError(`token realm ${JSON.stringify(redactURL(realm))} of ${registryHost} is not a URL`);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowHttp)) {
    throw new UnsafeURLError(
      `token realm ${redactURL(url)} of ${registryHost} uses ${url.protocol.slice(0, -1)}; ` +
        (url.protocol === 'http:' ? 'only https is allowed for a registry reached over https' : 'it must be https (or http for insecure registries)'),
    );
  }
  // The registry's own host:port is trusted with whatever address it has (ggcr compares them too).
  if (urlAddress(url) === canonicalAddress(registryHost, url.protocol)) return url;
  if (isRestrictedIP(url.hostname)) {
    throw new UnsafeURLError(`token realm ${redactURL(url)} of ${registryHost} is a loopback, private, link-local or unspecified address`);
  }
  return url;
}
