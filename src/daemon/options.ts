/**
 * @module The options every daemon call takes (ggcr's `WithClient`, `WithContext`, plus the host)
 * and the one place a client is chosen for them.
 */
import type { Client } from './client.ts';
import { EngineClient } from './engine-client.ts';

/** Options of `daemon.image`, `daemon.write` and `daemon.tag`. */
export interface DaemonOptions {
  /** Cancels the call (and, for an image, every later read of it). */
  readonly signal?: AbortSignal;
  /** Talk through this client instead of the built-in one (ggcr's `WithClient`). */
  readonly client?: Client;
  /** The Engine address for the built-in client (`unix:///path`, `tcp://host:port`); default `DOCKER_HOST`. */
  readonly host?: string;
}

// One built-in client per address and environment, so the API version is negotiated once per
// daemon rather than once per call.
const clients = new Map<string, EngineClient>();

/** The client `options` ask for: theirs, or the built-in one for `host` / the environment. */
export function resolveClient(options: DaemonOptions): Client {
  if (options.client) return options.client;
  const env = process.env;
  const key = JSON.stringify([options.host ?? env['DOCKER_HOST'], env['DOCKER_API_VERSION'], env['DOCKER_TLS_VERIFY'], env['DOCKER_CERT_PATH']]);
  let client = clients.get(key);
  if (!client) {
    client = new EngineClient(options.host !== undefined ? { host: options.host } : {});
    clients.set(key, client);
  }
  return client;
}
