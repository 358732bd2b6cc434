/**
 * @module Reading objects from the Kubernetes API with undici (imported only here, when a
 * cluster is actually asked): GET with the connection's TLS and credentials, JSON back, 404 as
 * "absent". Without the official client, which does not load on Node 20.
 */
import type { Readable } from 'node:stream';
import { CredentialsError } from '../errors/index.ts';
import { readAll } from '../internal/limit/index.ts';
import { isObject } from './auth-entry.ts';
import { resolveEnvironment, type EnvironmentOptions } from './environment.ts';
import type { KubeConnection } from './kube-connection.ts';
import { runExecPlugin, type ExecCredential } from './kube-exec.ts';

/**
 * Objects read whole are capped at 4 MiB: a Secret is at most 1 MiB of data, which base64 and
 * the JSON around it make about 1.4 MiB.
 */
const KUBE_OBJECT_LIMIT = 4 * 1024 * 1024;

/** Options for {@link kubeClient}. */
export interface KubeClientOptions extends EnvironmentOptions {
  /** How long an `exec` plugin may run; default `DEFAULT_HELPER_TIMEOUT_MS`. */
  timeoutMs?: number | undefined;
}

/** A minimal API client: JSON GETs, then `close()`. */
export interface KubeClient {
  /** The object at `path` (`/api/v1/…`), or `undefined` when the server answers 404. */
  get(path: string, options?: { signal?: AbortSignal | undefined }): Promise<unknown>;
  close(): Promise<void>;
}

/** A client for `connection`; nothing is loaded or run until the first `get`. */
export function kubeClient(connection: KubeConnection, options: KubeClientOptions = {}): KubeClient {
  let agent: import('undici').Agent | undefined;
  let execCredential: ExecCredential | undefined;
  const base = connection.server.replace(/\/+$/, '');
  return {
    async get(path, opts = {}) {
      const undici = await import('undici');
      if (connection.exec && !execCredential) {
        const { env } = resolveEnvironment(options);
        execCredential = await runExecPlugin(connection.exec, connection, { env, timeoutMs: options.timeoutMs, signal: opts.signal });
      }
      const cert = execCredential?.cert ?? connection.cert;
      const key = execCredential?.key ?? connection.key;
      agent ??= new undici.Agent({
        connect: {
          ...(connection.ca !== undefined && { ca: connection.ca }),
          ...(cert !== undefined && { cert }),
          ...(key !== undefined && { key }),
          ...(connection.tlsServerName !== undefined && { servername: connection.tlsServerName }),
          rejectUnauthorized: !connection.insecureSkipTLSVerify,
        },
      });
      const headers: Record<string, string> = { accept: 'application/json' };
      const token = execCredential?.token ?? connection.token;
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      else if (connection.username !== undefined) {
        headers.authorization = `Basic ${Buffer.from(`${connection.username}:${connection.password ?? ''}`).toString('base64')}`;
      }
      let res: Awaited<ReturnType<typeof undici.request>>;
      try {
        res = await undici.request(`${base}${path}`, { method: 'GET', headers, dispatcher: agent, signal: opts.signal });
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        throw new CredentialsError(`Kubernetes API GET ${path} on ${base} failed: ${(err as Error).message}`, { cause: err });
      }
      const body = await readAll(res.body as unknown as Readable, {
        max: KUBE_OBJECT_LIMIT,
        what: `Kubernetes API answer to GET ${path}`,
        signal: opts.signal,
      });
      if (res.statusCode === 404) return undefined;
      const doc = parse(body);
      if (res.statusCode !== 200) {
        const message = isObject(doc) && typeof doc.message === 'string' ? `: ${doc.message}` : '';
        throw new CredentialsError(`Kubernetes API GET ${path} answered ${res.statusCode}${message}`);
      }
      if (doc === undefined) throw new CredentialsError(`Kubernetes API GET ${path} answered with something that is not JSON`);
      return doc;
    },
    async close() {
      await agent?.close();
      agent = undefined;
    },
  };
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
