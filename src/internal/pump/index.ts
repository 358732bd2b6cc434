/**
 * @module Pumps: a stream that can also hand its bytes to a synchronous sink instead of being read.
 *
 * Node's streams cost a fresh Buffer per socket read, a hand-off per stage, and the collection of
 * all those Buffers; on a fast pull that is a third of the time (ARCHITECTURE, "Where a pull's
 * time goes"). A pump skips all of it: the producer calls `sink(piece)` for each piece as it
 * arrives, where `piece` is a view of a buffer the producer reuses, valid only during the call
 * (unless marked kept): the sink finishes with it before returning, with `writeSync`.
 *
 * A pumpable stream is still an ordinary Readable. The consumer picks one way to read it before
 * reading anything: read it as a stream, or call its pump. Wrappers that keep the bytes as they
 * are (a verifier, a progress meter) stay pumpable through {@link pumpableStream}, which builds
 * its stream only when someone reads it as one.
 */
import { finished, Readable } from 'node:stream';
import type { SizeMismatchError } from '../../errors/index.ts';
import { pipe } from '../pipe/index.ts';
import { Verifier, type VerifyOptions } from '../verify/verifier.ts';
import { markVerified, verifyStream, type VerifiedAs } from '../verify/verify-stream.ts';

/**
 * Takes one piece. Unless `kept`, the piece is only valid during the call (a view of a buffer
 * the producer reuses); a kept piece is the producer's own chunk, which the sink may hold on to
 * (to gather small ones into one write). A throw stops the pump with that error.
 */
export type PieceSink = (piece: Buffer, kept?: boolean) => void;

/** How a pump is run. */
export interface PumpOptions {
  readonly signal?: AbortSignal | undefined;
  /**
   * The digest and size the sink checks the bytes against itself (a file hashed as it is
   * written, `writePumpAtomic`): a verifying pump expecting the same may skip hashing them, and
   * checks only their count. A sink that says so must do it.
   */
  readonly sinkVerifies?: VerifiedAs | undefined;
}

/** Hands every piece to `sink`, resolving at the end; rejects with the first failure (or the sink's throw). */
export type Pump = (sink: PieceSink, options?: PumpOptions) => Promise<void>;

/** A global symbol, so two installed copies agree. */
const PUMP = Symbol.for('containerregistry.pump');

type MaybePumpable = Readable & { [PUMP]?: Pump };

/** The pump of `stream`, when it has one and nothing has read it yet. */
export function pumpOf(stream: Readable): Pump | undefined {
  const pump = (stream as MaybePumpable)[PUMP];
  if (!pump || stream.readableDidRead || stream.destroyed || stream.readableFlowing !== null) return undefined;
  return pump;
}

/** Gives `stream` a pump; returns it. */
export function withPump<T extends Readable>(stream: T, pump: Pump): T {
  (stream as T & { [PUMP]?: Pump })[PUMP] = pump;
  return stream;
}

/** What {@link pumpableStream} is made from. */
export interface PumpableParts {
  /** Builds the stream, on the first read as one. */
  readonly stream: () => Readable;
  /** The pump, used instead of the stream. */
  readonly pump: Pump;
  /** Frees what is underneath when the stream is destroyed before either was used. */
  readonly abandon: () => void;
}

/**
 * A Readable that builds its real stream on the first read (so piping it through Transforms
 * happens only for a stream reader), and a pump that bypasses it. Destroying it before either is
 * used calls `abandon`.
 */
export function pumpableStream(parts: PumpableParts): Readable {
  let inner: Readable | undefined;
  let pumped = false;
  const out = new Readable({
    read() {
      if (inner) return void inner.resume();
      inner = parts.stream();
      inner.on('data', (chunk: Buffer) => {
        if (!out.push(chunk)) inner!.pause();
      });
      inner.once('end', () => out.push(null));
      inner.once('error', (err) => out.destroy(err));
    },
    destroy(err, done) {
      if (inner) inner.destroy();
      else if (!pumped) parts.abandon();
      done(err);
    },
  });
  return withPump(out, (sink, options) => {
    pumped = true;
    return parts.pump(sink, options);
  });
}

/** `pump` with `count(n)` called after the sink has taken each piece of `n` bytes (progress). */
export function countedPump(pump: Pump, count: (n: number) => void): Pump {
  return (sink, how) =>
    pump((piece, kept) => {
      sink(piece, kept);
      count(piece.length);
    }, how);
}

/**
 * A pump whose pieces are checked against `options` before `sink` sees them: a piece past the
 * expected size stops it with `SizeMismatchError`, and at the end a wrong size or digest fails it
 * (after `beforeFail`), as `verifyStream` does for a stream.
 */
export function verifiedPump(pump: Pump, options: VerifyOptions): Pump {
  return async (sink, how = {}) => {
    // The sink hashes what it stores against the same digest: hashing here too would be twice.
    // (Its size is still checked here, against what this pump expects.)
    const verifier = new Verifier(options, { hash: !how.sinkVerifies?.digest.equals(options.digest) });
    let oversize: SizeMismatchError | undefined;
    try {
      await pump((piece, kept) => {
        oversize = verifier.add(piece);
        if (oversize) throw oversize;
        sink(piece, kept);
      }, how);
    } catch (err) {
      throw err === oversize && oversize ? await verifier.failing(oversize) : err;
    }
    const err = verifier.end();
    if (err) throw await verifier.failing(err);
  };
}

/**
 * A pump over an ordinary Readable: each chunk goes to the sink, kept, as it is emitted. Nothing
 * is saved on copies; what a pump gives such a body (an undici body over TLS) is the sink's
 * gathered synchronous writes and its hashing off the main thread.
 */
export function readablePump(body: Readable): Pump {
  return (sink, how = {}) =>
    new Promise<void>((resolve, reject) => {
      const { signal } = how;
      const stop = (err: unknown): void => {
        signal?.removeEventListener('abort', onAbort);
        body.destroy();
        reject(err);
      };
      const onAbort = (): void => stop(signal!.reason);
      if (signal?.aborted) return stop(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      body.on('data', (chunk: Buffer) => {
        try {
          sink(chunk, true);
        } catch (err) {
          stop(err);
        }
      });
      // `finished` also reports a stream closed before its end (ERR_STREAM_PREMATURE_CLOSE),
      // which would otherwise leave the pump waiting for ever.
      finished(body, (err) => {
        if (err) return stop(err);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
}

/**
 * `body` checked against `options` (what `pipe(body, verifyStream(options))` gives), and
 * pumpable: a pump checks each piece on its way to the sink, and no stream is built. A body with
 * no pump of its own is pumped as a Readable (`readablePump`).
 */
export function verifiedBody(body: Readable, options: VerifyOptions): Readable {
  const pump = pumpOf(body) ?? readablePump(body);
  const out = pumpableStream({
    stream: () => pipe(body, verifyStream(options)),
    pump: verifiedPump(pump, options),
    abandon: () => body.destroy(),
  });
  return markVerified(out, { digest: options.digest, size: options.size });
}
