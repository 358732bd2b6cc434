/**
 * @module The ping (`GET /v2/`, ggcr's `Ping`): which scheme reaches the registry and how it wants
 * to be authenticated. https is always tried; http too for insecure and local registries, raced
 * as ggcr does after Go's happy eyeballs: https starts at once, http after 300 ms or as soon as
 * https fails; the first success wins and, if both fail, both errors are reported.
 */
import type { Registry } from '../../name/registry.ts';
import { parseChallenges, pickChallenge, type Challenge } from './challenge.ts';
import { errorFromResponse } from './check-response.ts';
import { PingError } from './errors.ts';
import { discard, type HttpClient } from './http-client.ts';
import { PING_FALLBACK_DELAY_MS } from './options.ts';

/** What the ping learnt. */
export interface PingResult {
  readonly scheme: 'http' | 'https';
  /** The challenge to answer; undefined when `/v2/` answered 200 (no authentication needed). */
  readonly challenge?: Challenge;
  /** A 401 whose `WWW-Authenticate` did not parse: the header as sent (empty when absent). */
  readonly unparsed?: string;
}

/** Options of {@link ping}. */
export interface PingOptions {
  /** Try http as well, whatever `registry.scheme()` says. */
  readonly insecure?: boolean | undefined;
  /** How long https runs alone before http joins. Default 300 ms. */
  readonly fallbackDelayMs?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** One ping over one scheme. */
export async function pingScheme(client: HttpClient, registry: Registry, scheme: 'http' | 'https', signal?: AbortSignal): Promise<PingResult> {
  const url = new URL(`${scheme}://${registry.registryStr()}/v2/`);
  const res = await client.sendRetrying(async () => ({ method: 'GET', url, headers: {}, signal }), {
    retry: true,
    replayable: true,
    expected: (s) => s === 200 || s === 401,
    signal,
  });
  if (res.status === 200) {
    discard(res.body);
    return { scheme };
  }
  if (res.status === 401) {
    discard(res.body);
    const header = res.headers['www-authenticate'];
    const picked = pickChallenge(parseChallenges(header));
    if (picked) return { scheme, challenge: picked };
    // Nothing parseable: keep the raw header (as ggcr does) so the error can show it.
    return { scheme, unparsed: (Array.isArray(header) ? header.join(', ') : header ?? '').trim().slice(0, 200) };
  }
  throw await errorFromResponse(res, 'GET', url);
}

/**
 * Pings `registry`, racing https and http when the registry is insecure or local (or `insecure`
 * is set). Fails with the single error, or a `PingError` holding both.
 */
export async function ping(client: HttpClient, registry: Registry, options: PingOptions = {}): Promise<PingResult> {
  const { signal } = options;
  const raceHttp = options.insecure === true || registry.scheme() === 'http';
  if (!raceHttp) return pingScheme(client, registry, 'https', signal);
  const delay = options.fallbackDelayMs ?? PING_FALLBACK_DELAY_MS;

  const primary = new AbortController();
  const fallback = new AbortController();
  const link = (c: AbortController) => (signal ? AbortSignal.any([signal, c.signal]) : c.signal);
  return new Promise<PingResult>((resolve, reject) => {
    const errors: { https?: unknown; http?: unknown } = {};
    let settled = false;
    let httpStarted = false;
    let timer: NodeJS.Timeout | undefined;

    const finish = (result: PingResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      // The loser's connection is not needed; its failure is not news.
      (result.scheme === 'https' ? fallback : primary).abort();
      resolve(result);
    };
    const fail = (scheme: 'http' | 'https', err: unknown) => {
      if (settled) return;
      if (signal?.aborted) {
        settled = true;
        clearTimeout(timer);
        reject(signal.reason);
        return;
      }
      errors[scheme] = err;
      if (scheme === 'https' && !httpStarted) {
        clearTimeout(timer);
        startHttp();
        return;
      }
      if ('https' in errors && 'http' in errors) {
        settled = true;
        const list = [errors.https, errors.http];
        reject(new PingError(list.map((e) => (e instanceof Error ? e.message : String(e))).join('; '), list));
      }
    };
    const startHttp = () => {
      httpStarted = true;
      pingScheme(client, registry, 'http', link(fallback)).then(finish, (err: unknown) => fail('http', err));
    };
    pingScheme(client, registry, 'https', link(primary)).then(finish, (err: unknown) => fail('https', err));
    timer = setTimeout(() => {
      if (!settled && !httpStarted) startHttp();
    }, delay);
  });
}
