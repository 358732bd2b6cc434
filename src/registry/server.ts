/**
 * @module Running the registry: `create(options)` gives the `(req, res)` handler with its storage
 * (mount it in any Node HTTP server or framework), `listen(options)` serves it on a port (a free
 * loopback port by default, for tests), with TLS when given a key and certificate.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHandler, type Authorize } from './handler.ts';
import { createMemoryStorage, createDiskStorage } from './storage/index.ts';
import type { RegistryStorage } from './storage/types.ts';

export interface RegistryOptions {
  /** Where content lives: a storage, or `{ disk: dir }`; default in memory. */
  readonly storage?: RegistryStorage | { readonly disk: string } | undefined;
  /** Who may do what; default everyone everything (see `auth`). */
  readonly authorize?: Authorize | undefined;
  /** Extra routes tried first (the token server). */
  readonly extraRoutes?: ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) | undefined;
  readonly maxManifestBytes?: number | undefined;
  /** `true` logs a line per request to stderr; a function receives the lines. */
  readonly accessLog?: boolean | ((line: string) => void) | undefined;
}

export interface Registry {
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  readonly storage: RegistryStorage;
  close(): Promise<void>;
}

/**
 * Creates a registry: its handler and storage. Nothing listens yet.
 *
 * @example
 * const reg = await registry.create({ storage: { disk: './registry-data' } });
 * http.createServer(reg.handler).listen(5000);
 */
export async function create(options: RegistryOptions = {}): Promise<Registry> {
  const s = options.storage;
  const storage = s === undefined ? createMemoryStorage() : 'disk' in s ? await createDiskStorage(s.disk) : s;
  const handler = createHandler({
    storage,
    authorize: options.authorize,
    extraRoutes: options.extraRoutes,
    maxManifestBytes: options.maxManifestBytes,
    accessLog: options.accessLog,
  });
  return { handler, storage, close: () => storage.close() };
}

export interface ListenOptions extends RegistryOptions {
  /** Default 127.0.0.1: a development registry is not exposed unless asked. */
  readonly host?: string | undefined;
  /** Default 0: any free port. */
  readonly port?: number | undefined;
  /** PEM key and certificate for https. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer } | undefined;
}

export interface RunningRegistry extends Registry {
  readonly server: Server;
  /** `http://127.0.0.1:PORT` (or https). */
  readonly url: string;
  /** `127.0.0.1:PORT`, as a reference's registry part. */
  readonly host: string;
  readonly port: number;
  /** Stops accepting, closes idle connections, waits for requests in flight, closes storage. */
  close(): Promise<void>;
}

/**
 * Creates a registry and serves it. Resolves once it is listening.
 *
 * @example
 * const reg = await registry.listen();
 * // push to `${reg.host}/repo:tag` …
 * await reg.close();
 */
export async function listen(options: ListenOptions = {}): Promise<RunningRegistry> {
  const reg = await create(options);
  const server: Server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, reg.handler) : createHttpServer(reg.handler);
  // Multi-GiB uploads over slow links must not be cut off by Node's 5-minute default.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 30_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    ...reg,
    server,
    port,
    host: hostPort,
    url: `${options.tls ? 'https' : 'http'}://${hostPort}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await reg.close();
    },
  };
}
