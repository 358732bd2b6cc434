/**
 * @module Reading bounded documents (manifests, configs, error bodies, tokens) into memory with a
 * cap, so a broken or hostile peer cannot make us buffer without end (ggcr's `internal/limit`).
 */
import { addAbortSignal, type Readable } from 'node:stream';
import { InvalidArgumentError, TooLargeError } from '../../errors/index.ts';

/**
 * Cap for manifests, indexes and configs read whole: 100 MiB, ggcr's `manifestLimit` in
 * `remote/fetcher.go`. Real manifests are kilobytes; the cap is generous so that huge indexes
 * still work while a server streaming garbage is cut off.
 */
export const MANIFEST_LIMIT = 100 * 1024 * 1024;

/**
 * Cap for registry error bodies and token responses: 64 KiB, as ggcr caps what
 * `transport.CheckError` and the bearer token exchange read. Both are small JSON documents; more
 * than this is not something we would show or parse.
 */
export const SMALL_BODY_LIMIT = 64 * 1024;

/** Options for {@link readAll}. */
export interface ReadAllOptions {
  /** The most bytes accepted; one more fails. */
  max: number;
  /** What is being read (`manifest of ubuntu:24.04`, `token from auth.docker.io`), for errors. */
  what: string;
  signal?: AbortSignal | undefined;
}

/**
 * Reads `stream` to its end into one Buffer. As soon as more than `max` bytes have arrived it
 * destroys the stream (so the rest is never downloaded) and rejects with `TooLargeError`
 * (`ERR_TOO_LARGE`). An abort destroys the stream and rejects with the signal's reason.
 *
 * @example
 * const raw = await readAll(response.body, { max: MANIFEST_LIMIT, what: `manifest ${ref}` });
 */
export async function readAll(stream: Readable, options: ReadAllOptions): Promise<Buffer> {
  const { max, what, signal } = options;
  if (!Number.isSafeInteger(max) || max < 0) {
    throw new InvalidArgumentError(`readAll limit must be a non-negative integer, got ${max}`);
  }
  if (signal) addAbortSignal(signal, stream);
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    // Leaving the loop early (throw) ends the iterator, which destroys the stream.
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      length += bytes.length;
      if (length > max) {
        throw new TooLargeError(`${what} is larger than the ${describe(max)} limit`, max);
      }
      chunks.push(bytes);
    }
  } catch (err) {
    // addAbortSignal destroys with a generic AbortError; callers expect the reason they gave.
    throw signal?.aborted ? signal.reason : err;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
}

function describe(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes}-byte`;
}
