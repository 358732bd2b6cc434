/**
 * @module Following redirects, one loop for registry requests and token exchanges, with the rules
 * of Go's `http.Client` that ggcr relies on: 301/302/303 turn a write into a GET without a body,
 * 307/308 send the body again (a one-shot stream cannot be, so the redirect is then the answer),
 * at most `MAX_REDIRECTS` hops, each target checked by the caller, and the caller's own
 * credentials dropped for good once a hop leaves the host they were meant for.
 */
import { redactURL } from '../../internal/redact/index.ts';
import { isReplayable, type RequestBody } from './body.ts';
import { RequestFailedError } from './errors.ts';
import { urlAddress } from './host.ts';
import { discard, type HttpResponse } from './http-client.ts';
import { MAX_REDIRECTS } from './options.ts';

const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Headers that carry the caller's credentials. Once a hop goes to another host they are not sent
 * again, even if a later hop comes back (Go's client since its fix for CVE-2024-45336).
 */
const CREDENTIAL_HEADERS = ['authorization', 'cookie'] as const;

/** One hop of a request: the request itself, or where a redirect sent it. */
export interface RedirectHop {
  readonly method: string;
  readonly url: URL;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: RequestBody | undefined;
}

/** How {@link followRedirects} treats redirects. */
export interface FollowOptions {
  /** False returns a redirect as the answer. Default true. */
  readonly follow?: boolean | undefined;
  /** Resolves a `Location` against the URL that sent it and checks it (SSRF rules, realm rules); throws to refuse. */
  readonly target: (from: URL, location: string) => URL;
  /** Called with a hop whose redirect is followed, after its answer is discarded (to close what it opened). */
  readonly leaving?: ((hop: RedirectHop) => void) | undefined;
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Sends `start` through `send`, following redirects; returns the first answer that is not a
 * redirect to follow, with the hop that got it. Fails with `RequestFailedError` after
 * `MAX_REDIRECTS` redirects, or with whatever `options.target` throws.
 *
 * @example
 * const { res, hop } = await followRedirects({ method: 'GET', url, headers: {}, body: undefined }, (h) => client.send(h), {
 *   target: (from, location) => checkRedirect(from, location, registryHost),
 * });
 */
export async function followRedirects(
  start: RedirectHop,
  send: (hop: RedirectHop) => Promise<HttpResponse>,
  options: FollowOptions,
): Promise<{ res: HttpResponse; hop: RedirectHop }> {
  let hop = start;
  for (let n = 0; ; n++) {
    const res = await send(hop);
    const location = first(res.headers['location']);
    const keepsBody = res.status === 307 || res.status === 308;
    // Like Go's client, a one-shot body cannot follow a 307/308: the redirect itself is the answer.
    const canFollow = REDIRECTS.has(res.status) && location !== undefined && !(keepsBody && hop.body !== undefined && !isReplayable(hop.body));
    if (!(options.follow ?? true) || !canFollow) return { res, hop };
    discard(res.body);
    options.leaving?.(hop);
    if (n >= MAX_REDIRECTS) {
      throw new RequestFailedError(`stopped after ${MAX_REDIRECTS} redirects`, { method: hop.method, url: redactURL(hop.url) });
    }
    const url = options.target(hop.url, location);
    const headers = { ...hop.headers };
    let { method, body } = hop;
    if (!keepsBody && method !== 'GET' && method !== 'HEAD') {
      // 301/302/303 turn a write into a GET without body (Go, browsers).
      method = 'GET';
      body = undefined;
      delete headers['content-type'];
      delete headers['content-length'];
    }
    if (urlAddress(url) !== urlAddress(hop.url)) for (const h of CREDENTIAL_HEADERS) delete headers[h];
    hop = { method, url, headers, body };
  }
}
