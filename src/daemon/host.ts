/**
 * @module Where the Docker Engine listens: `DOCKER_HOST` (`unix:///path`, `tcp://host:port`,
 * `http://`, `https://`) and the TLS settings `DOCKER_TLS_VERIFY` / `DOCKER_CERT_PATH`, read the
 * way the docker CLI and Docker's Go client read them.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors/index.ts';

/** The Engine's address when `DOCKER_HOST` is unset: Docker's default socket on Linux. */
export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/** Client certificate files, as `docker --tlsverify` expects them in one folder. */
export interface TlsFiles {
  /** Folder holding `ca.pem`, `cert.pem` and `key.pem`; undefined: system CAs, no client certificate. */
  readonly certPath: string | undefined;
  /** Check the daemon's certificate (`DOCKER_TLS_VERIFY` set, or `https://` without certificates). */
  readonly verify: boolean;
}

/** A parsed Engine address. */
export type EngineAddress =
  | { readonly kind: 'unix'; readonly socketPath: string; readonly display: string }
  | {
      readonly kind: 'tcp';
      readonly hostname: string;
      readonly port: number;
      /** A path prefix in front of every API path (`tcp://host:2375/prefix`); '' for none. */
      readonly basePath: string;
      readonly tls: TlsFiles | undefined;
      readonly display: string;
    };

/** The environment variables this module reads. */
export type DockerEnv = Readonly<Record<string, string | undefined>>;

/**
 * Parses an Engine address. `host` defaults to `DOCKER_HOST`, then to {@link DEFAULT_DOCKER_HOST}.
 * TLS applies to tcp addresses when `DOCKER_TLS_VERIFY` is non-empty or `DOCKER_CERT_PATH` is set
 * (certificates from `DOCKER_CERT_PATH`, else `~/.docker`, as the docker CLI does), or when the
 * scheme is `https` (then with the system's CAs when no certificates are named). `ssh://` and `npipe://` are refused: they need the docker CLI's helpers.
 *
 * @example
 * parseDockerHost('tcp://127.0.0.1:2375'); // { kind: 'tcp', hostname: '127.0.0.1', port: 2375, … }
 */
export function parseDockerHost(host?: string, env: DockerEnv = process.env): EngineAddress {
  const text = host ?? (env['DOCKER_HOST'] || DEFAULT_DOCKER_HOST);
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) throw new InvalidArgumentError(`Docker host ${JSON.stringify(text)}: expected unix:///path or tcp://host:port`);
  if (scheme === 'unix') {
    const socketPath = text.slice('unix://'.length);
    if (!socketPath.startsWith('/')) {
      throw new InvalidArgumentError(`Docker host ${JSON.stringify(text)}: the socket path must be absolute (unix:///path)`);
    }
    return { kind: 'unix', socketPath, display: text };
  }
  if (scheme !== 'tcp' && scheme !== 'http' && scheme !== 'https') {
    throw new InvalidArgumentError(`Docker host ${JSON.stringify(text)}: scheme "${scheme}" is not supported (use unix:// or tcp://)`);
  }
  let url: URL;
  try {
    url = new URL(`http${text.slice(scheme.length)}`);
  } catch (err) {
    throw new InvalidArgumentError(`Docker host ${JSON.stringify(text)}: not a valid address`, { cause: err });
  }
  if (!url.hostname) throw new InvalidArgumentError(`Docker host ${JSON.stringify(text)}: no host name`);
  const tls = scheme === 'http' ? undefined : tlsFromEnv(env, scheme === 'https');
  // 2375 and 2376 are Docker's registered ports for plain and TLS connections.
  const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
  const basePath = url.pathname.replace(/\/+$/, '');
  return { kind: 'tcp', hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port, basePath, tls, display: text };
}

function tlsFromEnv(env: DockerEnv, https: boolean): TlsFiles | undefined {
  const verify = Boolean(env['DOCKER_TLS_VERIFY']);
  const certPath = env['DOCKER_CERT_PATH'];
  if (!verify && !certPath) return https ? { certPath: undefined, verify: true } : undefined;
  // Docker skips verification unless DOCKER_TLS_VERIFY is set, even with certificates given.
  return { certPath: certPath || join(homedir(), '.docker'), verify };
}
