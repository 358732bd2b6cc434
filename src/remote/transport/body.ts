/**
 * @module Request bodies: bytes that can be sent again, a function that opens a fresh stream for
 * each attempt (so retries, redirects and 401 replays can resend it), or a one-shot stream that
 * cannot be replayed.
 */
import { Readable } from 'node:stream';

/** A request body; a function re-opens it for each attempt. */
export type RequestBody = Buffer | Uint8Array | string | Readable | (() => Readable | Promise<Readable>);

/** True when the body can be sent more than once: none, bytes, or a function that re-opens it. */
export function isReplayable(body: RequestBody | undefined): boolean {
  return !(body instanceof Readable);
}

/** The body to hand to undici for one attempt. */
export async function openBody(body: RequestBody | undefined): Promise<Buffer | Uint8Array | string | Readable | undefined> {
  return typeof body === 'function' ? await body() : body;
}
