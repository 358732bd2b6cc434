/**
 * @module The undici dispatchers requests go through: one shared keep-alive `Agent` per TLS
 * setting (default, insecure, or with extra CAs / a client certificate from options or
 * `certs.d`), so every transport in the process reuses the same connection pools. undici is
 * imported on first use: loading it costs ~100 ms that commands without network I/O never pay.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Dispatcher } from 'undici';
import { hostTlsFor } from './certs-dir.ts';
import { DEFAULT_CERTS_DIRS, KEEP_ALIVE_MS, type TlsOptions } from './options.ts';

let undici: Promise<typeof import('undici')> | undefined;

/** undici, imported once. */
export function loadUndici(): Promise<typeof import('undici')> {
  undici ??= import('undici');
  return undici;
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

function proxyConfigured(): boolean {
  const env = process.env;
  return Boolean(env['HTTPS_PROXY'] || env['https_proxy'] || env['HTTP_PROXY'] || env['http_proxy']);
}

async function createAgent(tls: AgentTls): Promise<Dispatcher> {
  const { Agent, EnvHttpProxyAgent } = await loadUndici();
  const connect = {
    rejectUnauthorized: !tls.insecure,
    ...(tls.ca.length > 0 ? { ca: [...systemCAs(), ...tls.ca.map(String)] } : {}),
    ...(tls.cert !== undefined && tls.key !== undefined ? { cert: tls.cert, key: tls.key } : {}),
  };
  const options = { keepAliveTimeout: KEEP_ALIVE_MS, connect };
  // ggcr's base transport takes proxies from the environment (HTTP(S)_PROXY, NO_PROXY).
  return proxyConfigured() ? new EnvHttpProxyAgent({ ...options, requestTls: connect, noProxy: noProxy() }) : new Agent(options);
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
