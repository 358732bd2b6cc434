/**
 * @module Chaining streams: `pipe(src, t1, t2)` returns the last stream, with errors from any stage
 * delivered to it (and every stage destroyed), which `Readable.pipe` does not do.
 */
import { addAbortSignal, pipeline, type Duplex, type Readable } from 'node:stream';

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
