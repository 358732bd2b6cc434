/**
 * @module Test helper: our registry behind a loopback server that records every request and lets
 * a test answer some of them itself (faults, bytes flipped, manifests the registry would refuse).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { create, type Registry } from './server.ts';

/** Answers the request and returns true, or returns false to let the registry answer it. */
export type Intercept = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface FrontedRegistry {
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  readonly registry: Registry;
  /** `METHOD URL` of every request, in order; tests may clear it. */
  readonly seen: string[];
  /** Consulted first for every request; unset to let every request through. */
  intercept: Intercept | undefined;
  close(): Promise<void>;
}

/** Starts an in-memory registry behind a recording loopback server on a free port. */
export async function startFrontedRegistry(): Promise<FrontedRegistry> {
  const registry = await create();
  const seen: string[] = [];
  const fronted: { intercept: Intercept | undefined } = { intercept: undefined };
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (fronted.intercept?.(req, res)) return;
    registry.handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fronted, {
    host,
    registry,
    seen,
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await registry.close();
    },
  });
}

/**
 * An intercept that answers GETs of blob `digest` with its full Content-Length, sends `sent`
 * bytes, then drops the connection: a registry that dies mid-blob.
 */
export function dropsMidBlob(blob: { readonly digest: { toString(): string }; readonly size: number }, sent: number): Intercept {
  const digest = blob.digest.toString();
  return (req, res) => {
    if (req.method !== 'GET' || !req.url?.endsWith(digest)) return false;
    res.writeHead(200, { 'Content-Length': String(blob.size) });
    res.write(Buffer.alloc(sent));
    setTimeout(() => res.socket?.destroy(), 20);
    return true;
  };
}
