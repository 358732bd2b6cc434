/**
 * @module Reading one upload chunk (a PATCH or PUT body) piece by piece, enforcing its declared
 * length and the caller's abort signal, so a backend can write each piece and forget it.
 */
import { addAbortSignal, type Readable } from 'node:stream';
import { InvalidArgumentError, SizeMismatchError } from '../../errors/index.ts';

/** What {@link readChunks} enforces. */
export interface ReadChunksOptions {
  /** The declared length; a body that is longer or shorter is rejected. */
  readonly length?: number | undefined;
  readonly signal?: AbortSignal | undefined;
  /** What is being read, for error messages. */
  readonly what: string;
}

/**
 * Feeds every piece of `data` to `onChunk` (awaited, so backpressure reaches the source) and
 * returns the byte count. Rejects with `SizeMismatchError` as soon as the body passes
 * `options.length` (that piece is not handed on) or when it ends short of it, and with the
 * signal's reason on abort.
 *
 * The source is not destroyed when we reject over its length: it belongs to the caller (an HTTP
 * request, which still has to be answered). An abort does destroy it.
 */
export async function readChunks(
  data: Readable,
  options: ReadChunksOptions,
  onChunk: (chunk: Buffer) => Promise<void> | void,
): Promise<number> {
  const { length, signal, what } = options;
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0)) {
    throw new InvalidArgumentError(`declared length of ${what} must be a non-negative integer, got ${length}`);
  }
  signal?.throwIfAborted();
  if (signal) addAbortSignal(signal, data);
  let total = 0;
  try {
    for await (const piece of data.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer | string>) {
      const chunk = typeof piece === 'string' ? Buffer.from(piece) : piece;
      total += chunk.length;
      if (length !== undefined && total > length) {
        throw new SizeMismatchError(`${what} is longer than its declared ${length} bytes`, length, total);
      }
      await onChunk(chunk);
      signal?.throwIfAborted();
    }
  } catch (err) {
    // addAbortSignal destroys with a generic AbortError; callers expect the reason they gave.
    throw signal?.aborted ? signal.reason : err;
  }
  if (length !== undefined && total !== length) {
    throw new SizeMismatchError(`${what} ended after ${total} of its declared ${length} bytes`, length, total);
  }
  return total;
}
