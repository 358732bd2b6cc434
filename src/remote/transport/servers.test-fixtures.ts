/**
 * @module Loopback servers for the transport's tests: http or https on port 0, recording what
 * they receive; a dispatcher that resolves every name to 127.0.0.1 so tests can use distinct
 * host names (`blobs.test`, `auth.test`) for "another host"; fast retry settings.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { createSelfSignedCertificate, type CertificateBundle } from '../../registry/auth/x509.ts';

/** What a test server saw of one request. */
export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface TestServer {
  readonly server: Server;
  readonly port: number;
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  /** `http(s)://127.0.0.1:PORT`. */
  readonly url: string;
  readonly seen: Seen[];
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage & { body: string }, res: ServerResponse) => unknown;

export interface ServerOptions {
  readonly tls?: { key: string; cert: string; ca?: string; requestCert?: boolean };
}

/** Starts a server on 127.0.0.1:0 whose handler gets the request with its body read. */
export async function startServer(handler: Handler, options: ServerOptions = {}): Promise<TestServer> {
  const seen: Seen[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      Promise.resolve(handler(Object.assign(req, { body }), res)).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  };
  const tls = options.tls;
  const server: Server = tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert, ...(tls.ca ? { ca: tls.ca } : {}), requestCert: tls.requestCert ?? false, rejectUnauthorized: tls.requestCert ?? false }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    host: `127.0.0.1:${port}`,
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A self-signed certificate for 127.0.0.1 and localhost. */
export function serverCertificate(): Promise<CertificateBundle> {
  return createSelfSignedCertificate({ commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
}

const toLoopback: LookupFunction = (_hostname, options, callback) => {
  if ((options as { all?: boolean }).all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

/** An undici Agent that resolves every host name to 127.0.0.1 (IP literals connect as they are). */
export async function loopbackAgent(tls: { ca?: string } = {}): Promise<Dispatcher> {
  const { Agent } = await import('undici');
  return new Agent({ connect: { lookup: toLoopback, ...(tls.ca ? { ca: tls.ca } : {}) } });
}

/** Retry settings that keep tests fast: 3 attempts, 1 ms apart, no jitter. */
export const FAST_RETRY = Object.freeze({ attempts: 3, initialDelayMs: 1, factor: 1, jitter: 0 });

/** The whole body as text. */
export async function text(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** `Basic base64(user:pass)`. */
export const basicHeader = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

/** Sends a JSON answer. */
export function json(res: ServerResponse, status: number, doc: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(doc));
}
