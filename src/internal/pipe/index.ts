/**
 * @module Chaining streams: `pipe(src, t1, t2)` returns the last stream, with errors from any stage
 * delivered to it (and every stage destroyed), which `Readable.pipe` does not do.
 */
import { addAbortSignal, pipeline, Readable, type Duplex } from 'node:stream';

/** Connects `src` through `transforms` and returns the readable end. */
export function pipe(src: Readable, ...transforms: Duplex[]): Readable {
  if (transforms.length === 0) return src;
  // The callback form returns the last stream; a failure anywhere destroys all of them with the
  // error, so the consumer of the returned stream sees it.
  return pipeline([src, ...transforms], () => {}) as unknown as Readable;
}

/** Destroys `stream` with an AbortError when `signal` fires; a no-op without a signal. */
export function withSignal<T extends Readable>(stream: T, signal: AbortSignal | undefined): T {
  return signal ? addAbortSignal(signal, stream) : stream;
}

/**
 * `Readable.from(iterable)` for an iterable that waits on something: another stream, a download.
 * Readable.from ends its generator on destroy only once the pending `next()` settles, which a
 * stalled source may never do, so neither 'close' nor the generator's `finally` (which frees files
 * and sockets) would come. `beforeDestroy` runs first on destroy and must make that pending read
 * settle: destroy the stream being read, abort the work being awaited.
 */
export function readableFrom(
  iterable: AsyncIterable<Buffer> | Iterable<Buffer>,
  beforeDestroy: () => void,
  options: { highWaterMark?: number } = {},
): Readable {
  const out = Readable.from(iterable, { objectMode: false, ...options });
  const destroyOutput = out._destroy.bind(out);
  out._destroy = (err: Error | null, done: (error?: Error | null) => void): void => {
    beforeDestroy();
    destroyOutput(err, done);
  };
  return out;
}

/** Destroys `stream` unless it is absent, ended or destroyed already. */
export function destroyUnfinished(stream: Readable | undefined): void {
  if (stream && !stream.readableEnded && !stream.destroyed) stream.destroy();
}
