/**
 * @module Tee-on-read with a verified commit, the heart of the cache: bytes pass through to the
 * reader unchanged and are copied into a sink, and the copy is committed only when the stream
 * ended verified against the expected digest and size. The check is the shared verifying stream
 * (internal/verify), added only when the source does not verify itself for that digest already,
 * so a registry blob is hashed once per fill. A stream abandoned, failed or wrong leaves nothing
 * committed.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { Hash } from '../v1/hash.ts';
import { pipe } from '../internal/pipe/index.ts';
import { sameBytesAs, verifyOnce } from '../internal/verify/index.ts';

/** Where a tee copies to: a provisional place that becomes final only on `commit`. */
export interface TeeSink {
  /** Resolves once `chunk` is stored; the tee sends no more until then. */
  write(chunk: Buffer): Promise<void>;
  /** Makes the copy final; called at most once, after every write and the checks. */
  commit(): Promise<void>;
  /** Throws the copy away; called when the stream fails or is destroyed before commit. */
  abort(): Promise<void>;
}

/** What the bytes must be for the copy to be committed. */
export interface TeeExpectation {
  readonly digest: Hash;
  /** Exact byte count, or `SIZE_UNKNOWN` (-1). */
  readonly size: number;
  /** What is being copied, for error messages (`layer sha256:…`). */
  readonly what: string;
}

/**
 * Copies into the sink and commits at the end of its input. It checks nothing itself: it must
 * only ever sit behind a verifying stream, whose end is the proof (see {@link verifiedTee}).
 */
class CommitAtEnd extends Transform {
  readonly #open: () => Promise<TeeSink>;
  #sink: TeeSink | undefined;
  #committed = false;

  constructor(open: () => Promise<TeeSink>) {
    super();
    this.#open = open;
  }

  override _construct(done: (err?: Error | null) => void): void {
    this.#open().then(
      (sink) => {
        this.#sink = sink;
        done();
      },
      (err: Error) => done(err),
    );
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    // Never called once destroyed (which takes the sink away), so the sink is there.
    const sink = this.#sink!;
    // The write is started before the chunk is pushed, because a reader's 'data' handler runs
    // inside push() and may destroy the stream there, which takes the sink away and aborts the
    // copy; the abort then waits for this write instead of racing a write issued after it. The
    // reader still gets the chunk at once; the next one is not taken until the sink has stored
    // this one, so a slow disk slows the stream instead of filling memory.
    const stored = sink.write(chunk);
    this.push(chunk);
    stored.then(() => done(), (err: Error) => done(err));
  }

  override _flush(done: TransformCallback): void {
    const sink = this.#sink!;
    // Committed before the reader sees the end, so whoever waited for it finds the entry there.
    sink.commit().then(
      () => {
        this.#committed = true;
        done();
      },
      (err: Error) => done(err),
    );
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    const sink = this.#sink;
    this.#sink = undefined;
    if (!sink || this.#committed) return done(err);
    // The reader hears of the failure only once the copy is gone.
    sink.abort().then(
      () => done(err),
      () => done(err),
    );
  }
}

/**
 * Returns `source` passed through unchanged, with its bytes copied into the sink that `open`
 * gives (opened before the first byte). The copy is committed, then the stream ends, only when
 * the bytes had the expected digest and size; a mismatch fails the stream with
 * `DigestMismatchError` or `SizeMismatchError` (a surplus at its first byte too many) and
 * aborts the copy, as does any failure or an early `destroy()`. The result is marked verified
 * (`verifiedAs`), so a verifying sink further down does not hash the bytes again.
 *
 * @example
 * const out = verifiedTee(await layer.compressed(), () => tempFileSink(dir, name), { digest, size, what });
 */
export function verifiedTee(source: Readable, open: () => Promise<TeeSink>, expect: TeeExpectation): Readable {
  const verified = verifyOnce(source, expect);
  // The commit runs in the tee's flush, which comes only after `verified` has ended; a verifying
  // stream ends only when its check passed, and otherwise fails, which makes the pipeline
  // destroy the tee and so abort the copy. This holds whether the check was added here or the
  // source carries its own (a registry blob, remote/fetcher), which is why one hash suffices.
  return sameBytesAs(pipe(verified, new CommitAtEnd(open)), verified);
}
