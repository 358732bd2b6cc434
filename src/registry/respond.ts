/**
 * @module Small response helpers shared by the route handlers: headers every answer carries,
 * JSON bodies, empty answers, streamed bodies, and reading bounded request bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RegistryHttpError } from './http-errors.ts';
import { readAll } from '../internal/limit/index.ts';
import { TooLargeError } from '../errors/index.ts';

/** Answers with `status`, `headers` and an optional body (omitted for HEAD). */
export function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  body?: string | Buffer,
): void {
  const h: Record<string, string | number> = { ...headers };
  if (body !== undefined && h['Content-Length'] === undefined) h['Content-Length'] = Buffer.byteLength(body);
  if (body === undefined && h['Content-Length'] === undefined) h['Content-Length'] = 0;
  res.writeHead(status, h);
  if (req.method === 'HEAD' || body === undefined) res.end();
  else res.end(body);
}

export function sendJSON(req: IncomingMessage, res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(req, res, status, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(value));
}

export function sendError(req: IncomingMessage, res: ServerResponse, err: RegistryHttpError): void {
  if (res.headersSent) {
    res.destroy(err);
    return;
  }
  send(req, res, err.status, { 'Content-Type': 'application/json', ...err.headers }, err.body());
}

/**
 * A streamed answer's body failed after its headers went out (a disk read error part-way through
 * a blob): too late for an error answer. The response is already destroyed, so the client sees
 * an aborted transfer rather than a clean, short one; what is left is to log `cause`.
 */
export class BodyStreamError extends Error {
  constructor(cause: unknown) {
    super(`response body failed: ${(cause as Error | undefined)?.message ?? String(cause)}`, { cause });
  }
}

/**
 * Streams `body` as the rest of an answer whose headers are written. A client that goes away
 * destroys the response and the body is closed quietly. A body that fails destroys the response
 * and rejects with `BodyStreamError`.
 */
export async function sendBody(res: ServerResponse, body: Readable): Promise<void> {
  let failure: { readonly error: unknown } | undefined;
  // Listening before pipeline does: when the body fails on its own the response is still open
  // here; when the client left first, pipeline has destroyed the response before the body.
  body.once('error', (error) => {
    if (!res.destroyed) failure = { error };
  });
  try {
    await pipeline(body, res);
  } catch {
    body.destroy();
    if (failure === undefined) return;
    // Ended instead, a response shorter than its Content-Length would look complete to some clients.
    res.destroy();
    throw new BodyStreamError(failure.error);
  }
}

/** Reads a request body up to `max` bytes; a larger one is a `SIZE_INVALID` 413. */
export async function readBody(req: IncomingMessage, max: number, what: string): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? -1);
  if (declared > max) throw new RegistryHttpError(413, 'SIZE_INVALID', `${what} of ${declared} bytes is over the ${max}-byte limit`);
  try {
    return await readAll(req, { max, what });
  } catch (err) {
    if (err instanceof TooLargeError) throw new RegistryHttpError(413, 'SIZE_INVALID', `${what} is over the ${max}-byte limit`);
    throw err;
  }
}

/** Drains (discards) what is left of a request body, so the connection can be reused. */
export function discard(req: IncomingMessage): void {
  if (!req.readableEnded) req.resume();
}
