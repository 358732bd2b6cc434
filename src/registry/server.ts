/**
 * @module Running the registry: `create(options)` gives the `(req, res)` handler with its storage
 * (mount it in any Node HTTP server or framework), `listen(options)` serves it on a port (a free
 * loopback port by default, for tests), with TLS from a given key and certificate or a
 * self-signed one made on the spot.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIP, type AddressInfo } from 'node:net';
import { createHandler, type HandlerOptions } from './handler.ts';
import { createSelfSignedCertificate, type CertificateBundle } from './auth/x509.ts';
import { createMemoryStorage, createDiskStorage } from './storage/index.ts';
import type { RegistryStorage } from './storage/types.ts';

export interface RegistryOptions extends Omit<HandlerOptions, 'storage'> {
  /** Where content lives: a storage, or `{ disk: dir }`; default in memory. */
  readonly storage?: RegistryStorage | { readonly disk: string } | undefined;
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
  let handler: Registry['handler'];
  try {
    // Every handler option passes through, so a new one cannot be dropped here by accident.
    handler = createHandler({ ...options, storage });
  } catch (err) {
    // Invalid options: the disk storage just opened must not stay open.
    if (storage !== s) await storage.close();
    throw err;
  }
  return { handler, storage, close: () => storage.close() };
}

export interface ListenOptions extends RegistryOptions {
  /** Default 127.0.0.1: a development registry is not exposed unless asked. */
  readonly host?: string | undefined;
  /** Default 0: any free port. */
  readonly port?: number | undefined;
  /**
   * https: a PEM key and certificate, or `'self-signed'` for a new certificate for localhost,
   * 127.0.0.1, ::1 and `host` (ggcr's `registry.TLS`), given back as `certificate` to trust.
   */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer } | 'self-signed' | undefined;
}

export interface RunningRegistry extends Registry {
  readonly server: Server;
  /** `http://127.0.0.1:PORT` (or https). */
  readonly url: string;
  /** `127.0.0.1:PORT`, as a reference's registry part. */
  readonly host: string;
  readonly port: number;
  /** With `tls: 'self-signed'`: the certificate (PEM) a client must trust, e.g. as node:https `ca`. */
  readonly certificate?: string;
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
  const host = options.host ?? '127.0.0.1';
  let tls = options.tls;
  let certificate: string | undefined;
  if (tls === 'self-signed') {
    const made = await selfSignedFor(host);
    certificate = made.certPem;
    tls = { key: made.keyPem, cert: made.certPem };
  }
  const reg = await create(options);
  const server: Server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, reg.handler) : createHttpServer(reg.handler);
  // Multi-GiB uploads over slow links must not be cut off by Node's 5-minute default.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 30_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // A port in use must not leave the storage open behind it.
    await reg.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    ...reg,
    server,
    port,
    host: hostPort,
    url: `${tls ? 'https' : 'http'}://${hostPort}`,
    ...(certificate !== undefined ? { certificate } : {}),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await reg.close();
    },
  };
}

/** A certificate for the loopback names, plus the listening host when it is a specific one. */
async function selfSignedFor(host: string): Promise<CertificateBundle> {
  const ipAddresses = ['127.0.0.1', '::1'];
  const dnsNames = ['localhost'];
  if (host !== '0.0.0.0' && host !== '::') {
    if (isIP(host)) {
      if (!ipAddresses.includes(host)) ipAddresses.push(host);
    } else if (!dnsNames.includes(host)) dnsNames.push(host);
  }
  return createSelfSignedCertificate({ commonName: dnsNames[dnsNames.length - 1]!, dnsNames, ipAddresses, validityDays: 365 });
}
