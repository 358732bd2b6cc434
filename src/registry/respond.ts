/**
 * @module Small response helpers shared by the route handlers: headers every answer carries,
 * JSON bodies, empty answers, and reading bounded request bodies.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
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
