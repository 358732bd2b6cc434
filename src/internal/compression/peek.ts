/**
 * @module Sniffing the compression of a stream without consuming it: the first few bytes are
 * read, inspected and replayed ahead of the rest (ggcr's `compression.PeekCompression`).
 */
import type { Readable } from 'node:stream';
import { destroyUnfinished, readableFrom } from '../pipe/index.ts';
import { detectCompression, MAGIC_LENGTH, type Compression } from './detect.ts';

/** Options for {@link peekCompression}. */
export interface PeekOptions {
  /** Stops waiting for the first bytes; the source is destroyed. */
  signal?: AbortSignal | undefined;
}

/** What {@link peekCompression} found, and the stream to read instead of the original. */
export interface Peeked {
  compression: Compression;
  /** Yields every byte of the original stream, the peeked ones included. */
  stream: Readable;
}

/**
 * Reads just enough of `stream` to recognise its compression and returns a stream that yields
 * those bytes followed by the rest. Nothing beyond the first chunks is buffered and the returned
 * stream pulls from the source only as it is read, so backpressure holds; destroying it destroys
 * the source. An empty stream is `'none'`.
 *
 * @example
 * const { compression, stream } = await peekCompression(createReadStream(path));
 */
export async function peekCompression(stream: Readable, options: PeekOptions = {}): Promise<Peeked> {
  const { signal } = options;
  signal?.throwIfAborted();
  const source = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const onAbort = () => stream.destroy(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const head: Buffer[] = [];
  let headLength = 0;
  let ended = false;
  try {
    // Chunks are usually far longer than a magic number; a loop covers sources that trickle.
    while (headLength < MAGIC_LENGTH) {
      const next = await source.next();
      if (next.done) {
        ended = true;
        break;
      }
      head.push(next.value);
      headLength += next.value.length;
    }
  } catch (err) {
    throw signal?.aborted ? signal.reason : err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  const first = head.length === 1 ? head[0]! : Buffer.concat(head, headLength);
  async function* replay(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    if (ended) return;
    // Driving the same iterator keeps the source's own backpressure and error propagation; when
    // the consumer stops early, returning from here ends the iterator, which destroys the source.
    try {
      for (;;) {
        const next = await source.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await source.return?.();
    }
  }
  // Destroying the replay destroys the source first, which settles a stalled pending read.
  const replayed = readableFrom(replay(), () => destroyUnfinished(stream));
  return { compression: detectCompression(first), stream: replayed };
}
