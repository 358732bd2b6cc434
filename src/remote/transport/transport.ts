/**
 * @module `newTransport`: an authenticated HTTP client for one registry (ggcr's
 * `transport.NewWithContext` plus the `http.Client` around it). It pings, sets up Basic or Bearer
 * auth, and then sends requests with the ping's scheme, credentials for the registry's host only,
 * one replay after a 401 with a fresh token, redirects re-checked by the SSRF guards, retries, and
 * errors carrying the registry's diagnostics.
 */
import type { Readable } from 'node:stream';
import type { Registry } from '../../name/registry.ts';
import { isReplayable, openBody, type RequestBody } from './body.ts';
import { parseChallenges } from './challenge.ts';
import { errorFromResponse } from './check-response.ts';
import { dispatcherPicker, proxyConfigured } from './dispatcher.ts';
import { AuthChallengeError } from './errors.ts';
import { isRegistryURL } from './host.ts';
import { discard, HttpClient, release, type HttpResponse } from './http-client.ts';
import { resolveRetry, type TransportOptions } from './options.ts';
import { followRedirects, type RedirectHop } from './redirect.ts';
import { ping } from './ping.ts';
import { crossHostToken, RegistryAuth } from './registry-auth.ts';
import type { Token } from './token.ts';
import { checkRedirect } from './ssrf.ts';

/** One request through a {@link Transport}. */
export interface TransportRequest {
  readonly method: string;
  /** Absolute, or a path on the registry (`/v2/…`). */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Bytes, or a function that opens the body afresh for each attempt; a bare stream is sent once and never retried. */
  readonly body?: RequestBody | undefined;
  /** Statuses that are success; anything else becomes a `TransportError`. Default: any 2xx. */
  readonly expect?: readonly number[] | undefined;
  /** Default true; false inside whole-operation retries (ggcr `retry.Never`). */
  readonly retry?: boolean | undefined;
  /** Default true (at most 10), each hop re-checked by `checkRedirect`. */
  readonly followRedirects?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** The answer; `body` must be read or destroyed. */
export interface TransportResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
  /** The URL that answered, after redirects. */
  readonly url: string;
}

/** An authenticated client for one registry. */
export interface Transport {
  readonly registry: Registry;
  /** The scheme the ping settled on. */
  readonly scheme: 'http' | 'https';
  /** `${scheme}://${host}${path}`. */
  url(path: string): string;
  request(req: TransportRequest): Promise<TransportResponse>;
  /** Scopes the next token must cover too (e.g. a mount source's pull scope). */
  addScopes(scopes: readonly string[]): void;
  /** The token server's answer when the registry uses bearer tokens (`crane auth token`); undefined otherwise. */
  readonly tokenAnswer: Token | undefined;
}

/** One hop of a request, with what the transport needs to send it. */
interface Hop extends RedirectHop {
  readonly retry: boolean;
  readonly expect: readonly number[] | undefined;
  readonly signal: AbortSignal | undefined;
  /** The body stream of the latest attempt, closed when the hop is abandoned. */
  opened?: Awaited<ReturnType<typeof openBody>>;
}

function combine(a: AbortSignal | undefined, b: AbortSignal | undefined): AbortSignal | undefined {
  return a && b ? AbortSignal.any([a, b]) : (a ?? b);
}

class RegistryTransport implements Transport {
  readonly registry: Registry;
  readonly scheme: 'http' | 'https';
  readonly #host: string;
  readonly #client: HttpClient;
  readonly #auth: RegistryAuth;
  readonly #signal: AbortSignal | undefined;
  readonly #foreignTokens = new Map<string, string>();

  constructor(registry: Registry, scheme: 'http' | 'https', client: HttpClient, auth: RegistryAuth, signal: AbortSignal | undefined) {
    this.registry = registry;
    this.scheme = scheme;
    this.#host = registry.registryStr();
    this.#client = client;
    this.#auth = auth;
    this.#signal = signal;
  }

  url(path: string): string {
    return `${this.scheme}://${this.#host}${path}`;
  }

  addScopes(scopes: readonly string[]): void {
    this.#auth.addScopes(scopes);
  }

  get tokenAnswer(): Token | undefined {
    return this.#auth.tokenAnswer;
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    const signal = combine(this.#signal, req.signal);
    signal?.throwIfAborted();
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    const retry = req.retry ?? true;
    const expect = req.expect;
    let current: Hop | undefined;
    const { res, hop } = await followRedirects(
      { method: req.method.toUpperCase(), url: this.#resolve(req.url), headers, body: req.body },
      (h) => this.#hop((current = { ...h, retry, expect, signal })),
      {
        follow: req.followRedirects,
        target: (from, location) => this.#resolve(checkRedirect(from, location, this.#host).href),
        leaving: () => release(current?.opened),
      },
    );
    const ok = expect ? expect.includes(res.status) : res.status >= 200 && res.status < 300;
    if (!ok) throw await errorFromResponse(res, hop.method, hop.url);
    return { status: res.status, headers: res.headers, body: res.body, url: hop.url.href };
  }

  /** A path on the registry, or an absolute URL; the registry's own host always gets the ping's scheme (ggcr's schemeTransport). */
  #resolve(target: string): URL {
    const url = target.startsWith('/') ? new URL(this.url(target)) : new URL(target);
    if (url.host.toLowerCase() === this.#host.toLowerCase() && url.protocol !== `${this.scheme}:`) url.protocol = this.scheme;
    return url;
  }

  /** One hop: credentials if it goes to the registry, retries, and one replay after a usable 401. */
  async #hop(hop: Hop): Promise<HttpResponse> {
    const { method, url, headers, body, retry, expect, signal } = hop;
    const onRegistry = isRegistryURL(url, this.#host, this.scheme);
    const replayable = isReplayable(body);
    let sent: string | undefined;
    // A token another host asked for is kept for the next request there (one exchange per host,
    // not one per blob); a 401 with it fetches a fresh one below.
    let foreignToken: string | undefined = onRegistry ? undefined : this.#foreignTokens.get(url.origin);
    const send = () =>
      this.#client.sendRetrying(
        async () => {
          sent = onRegistry ? await this.#auth.header(signal) : foreignToken === undefined ? undefined : `Bearer ${foreignToken}`;
          const h = sent === undefined ? headers : { ...headers, authorization: sent };
          hop.opened = await openBody(body);
          return { method, url, headers: h, body: hop.opened, signal };
        },
        { retry, replayable, expected: expect ? (s) => expect.includes(s) : undefined, signal },
      );
    const res = await send();
    if (res.status !== 401 || !replayable) return res;
    const challenges = parseChallenges(res.headers['www-authenticate']);
    if (challenges.length === 0) return res;
    if (onRegistry) {
      if (!(await this.#auth.onChallenge(challenges, sent, signal))) return res;
    } else {
      foreignToken = await crossHostToken(this.#client, url, challenges, signal);
      if (foreignToken === undefined) {
        this.#foreignTokens.delete(url.origin);
        return res;
      }
      this.#foreignTokens.set(url.origin, foreignToken);
    }
    discard(res.body);
    release(hop.opened);
    return send();
  }
}

/**
 * Pings `registry`, sets up its authentication for `scopes` (`repository:<name>:pull`, …) and
 * returns the transport. Fails with `PingError`/`RequestFailedError` when the registry cannot be
 * reached, `TransportError` when it answers the ping or the token request with an error, and
 * `AuthChallengeError` when its challenge cannot be used.
 *
 * @example
 * const repo = Repository.parse('ghcr.io/org/app');
 * const t = await newTransport(repo.registry, [repo.scope('pull')], { authenticator });
 * const res = await t.request({ method: 'GET', url: `/v2/${repo.repositoryStr()}/tags/list` });
 */
export async function newTransport(registry: Registry, scopes: readonly string[], options: TransportOptions = {}): Promise<Transport> {
  const client = new HttpClient({
    dispatcherFor: dispatcherPicker(options),
    userAgent: options.userAgent,
    retry: resolveRetry(options.retry),
    logger: options.logger,
    onWarning: options.onWarning,
    wire: options.dispatcher === undefined && !proxyConfigured(),
  });
  const signal = options.signal;
  const pinged = await ping(client, registry, { insecure: options.insecure, signal });
  const host = registry.registryStr();
  if (pinged.unparsed !== undefined) {
    throw new AuthChallengeError(
      pinged.unparsed === ''
        ? `${host} answered 401 to GET /v2/ without a WWW-Authenticate header`
        : `${host} answered 401 to GET /v2/ with a WWW-Authenticate header that does not parse: ${JSON.stringify(pinged.unparsed)}`,
    );
  }
  const auth = new RegistryAuth({
    client,
    registryHost: host,
    scheme: pinged.scheme,
    insecure: options.insecure ?? false,
    authenticator: options.authenticator,
    scopes,
    signal,
  });
  await auth.start(pinged.challenge);
  return new RegistryTransport(registry, pinged.scheme, client, auth, signal);
}
