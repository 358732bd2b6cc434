/**
 * @module The undici dispatchers requests go through: one shared keep-alive `Agent` per TLS
 * setting (default, insecure, or with extra CAs / a client certificate from options or
 * `certs.d`), so every transport in the process reuses the same connection pools. undici is
 * loaded on first use, and only the parts a registry client needs (see {@link loadUndiciCore}).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Dispatcher } from 'undici';
import { hostTlsFor } from './certs-dir.ts';
import { DEFAULT_CERTS_DIRS, KEEP_ALIVE_MS, type TlsOptions } from './options.ts';

type Undici = typeof import('undici');

/** The parts of undici the transport uses. */
export interface UndiciCore {
  readonly Agent: Undici['Agent'];
  /**
   * Loaded only when a proxy is configured, from undici's entry point: the proxy agent calls the
   * request API through the dispatcher prototype, which only the entry point sets up.
   */
  EnvHttpProxyAgent(): Promise<Undici['EnvHttpProxyAgent']>;
  /** `dispatcher.request(options)`, for any dispatcher (ours or one a caller passed). */
  request(dispatcher: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
}

let core: Promise<UndiciCore> | undefined;

/**
 * undici's agent and request API, loaded once. undici's entry point also loads fetch, WebSocket,
 * caches and mocks: measured 55 ms (75 ms under the CLI's --liftoff-only) against 25–30 ms for
 * the two files a registry client needs, on every CLI command that talks to a registry. undici has
 * no `exports` map, so the files are reachable; if a future layout moves them, the full entry
 * point is used instead and nothing breaks.
 */
export function loadUndiciCore(): Promise<UndiciCore> {
  core ??= (async (): Promise<UndiciCore> => {
    try {
      const { Agent, request } = await import('./undici-core.ts');
      if (typeof Agent !== 'function' || typeof request !== 'function') throw new Error('undici moved its files');
      return {
        Agent,
        EnvHttpProxyAgent: async () => (await import('undici')).EnvHttpProxyAgent,
        request: (d, o) => request.call(d, o),
      };
    } catch {
      const u = await import('undici');
      return { Agent: u.Agent, EnvHttpProxyAgent: async () => u.EnvHttpProxyAgent, request: (d, o) => d.request(o) };
    }
  })();
  return core;
}

/** What an agent's TLS connections use. */
interface AgentTls {
  readonly insecure: boolean;
  readonly ca: readonly (string | Buffer)[];
  readonly cert?: string | Buffer | undefined;
  readonly key?: string | Buffer | undefined;
}

const agents = new Map<string, Promise<Dispatcher>>();

function fingerprint(tls: AgentTls): string {
  const h = createHash('sha256').update(tls.insecure ? 'insecure' : 'verify');
  for (const part of [...tls.ca, '\0cert', tls.cert ?? '', '\0key', tls.key ?? '']) h.update(part).update('\0');
  return h.digest('hex');
}

/**
 * The system's CAs: Node's bundled store plus `NODE_EXTRA_CA_CERTS`, which an explicit `ca`
 * list would otherwise drop (Node replaces its defaults when given one).
 */
function systemCAs(): string[] {
  const extra = process.env['NODE_EXTRA_CA_CERTS'];
  if (!extra) return [...rootCertificates];
  try {
    return [...rootCertificates, readFileSync(extra, 'utf8')];
  } catch {
    return [...rootCertificates];
  }
}

/** True when the environment names a proxy (HTTP(S)_PROXY), which undici's proxy agent honours. */
export function proxyConfigured(): boolean {
  const env = process.env;
  return Boolean(env['HTTPS_PROXY'] || env['https_proxy'] || env['HTTP_PROXY'] || env['http_proxy']);
}

async function createAgent(tls: AgentTls): Promise<Dispatcher> {
  const { Agent, EnvHttpProxyAgent } = await loadUndiciCore();
  const connect = {
    rejectUnauthorized: !tls.insecure,
    ...(tls.ca.length > 0 ? { ca: [...systemCAs(), ...tls.ca.map(String)] } : {}),
    ...(tls.cert !== undefined && tls.key !== undefined ? { cert: tls.cert, key: tls.key } : {}),
  };
  const options = { keepAliveTimeout: KEEP_ALIVE_MS, connect };
  // ggcr's base transport takes proxies from the environment (HTTP(S)_PROXY, NO_PROXY).
  if (!proxyConfigured()) return new Agent(options);
  const ProxyAgent = await EnvHttpProxyAgent();
  return new ProxyAgent({ ...options, requestTls: connect, noProxy: noProxy() });
}

/** NO_PROXY plus loopback, which Go's `ProxyFromEnvironment` never proxies and undici would. */
function noProxy(): string {
  const env = (process.env['NO_PROXY'] ?? process.env['no_proxy'] ?? '').trim();
  return env === '*' ? '*' : [env, 'localhost', '127.0.0.1', '[::1]'].filter(Boolean).join(',');
}

/** The shared agent for `tls`, created on first use. */
export function sharedAgent(tls: AgentTls): Promise<Dispatcher> {
  const key = fingerprint(tls);
  let agent = agents.get(key);
  if (!agent) {
    agent = createAgent(tls);
    agent.catch(() => agents.delete(key));
    agents.set(key, agent);
  }
  return agent;
}

/** What picks a dispatcher needs from the transport options. */
export interface DispatcherSettings {
  readonly dispatcher?: Dispatcher | undefined;
  readonly insecure?: boolean | undefined;
  readonly tls?: TlsOptions | undefined;
  readonly certsDirs?: readonly string[] | undefined;
}

/**
 * Returns the function that picks the dispatcher for each request URL: the injected one if
 * given; otherwise the shared agent for the URL's TLS needs (`insecure` skips verification for
 * every host, as crane `--insecure`; the options' CAs and client certificate apply to every
 * https host; `certs.d` adds its files for the host they are named after).
 */
export function dispatcherPicker(settings: DispatcherSettings): (url: URL) => Promise<Dispatcher> {
  const injected = settings.dispatcher;
  if (injected) return async () => injected;
  const insecure = settings.insecure ?? false;
  const dirs = settings.certsDirs ?? DEFAULT_CERTS_DIRS;
  const optionCAs = settings.tls?.ca ?? [];
  return async (url) => {
    if (url.protocol !== 'https:') return sharedAgent({ insecure: false, ca: [] });
    const host = dirs.length > 0 ? await hostTlsFor(dirs, url) : undefined;
    const ca = [...optionCAs, ...(host?.ca ?? [])];
    const useHostCert = host?.cert !== undefined;
    return sharedAgent({
      insecure,
      ca,
      cert: useHostCert ? host.cert : settings.tls?.cert,
      key: useHostCert ? host.key : settings.tls?.key,
    });
  };
}
