/**
 * @module A pass-through that copies what flows through it into a sink and commits the copy only
 * when the stream ended with the expected digest and size: the heart of tee-on-read caching. A
 * stream abandoned, failed or wrong leaves nothing committed.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { Hash as NodeHash } from 'node:crypto';
import { DigestMismatchError, SizeMismatchError } from '../errors/index.ts';
import { Hash, hasher } from '../v1/hash.ts';
import { SIZE_UNKNOWN } from '../internal/verify/index.ts';

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

class VerifiedTee extends Transform {
  readonly #open: () => Promise<TeeSink>;
  readonly #expect: TeeExpectation;
  readonly #hasher: NodeHash;
  #sink: TeeSink | undefined;
  #size = 0;
  #committed = false;

  constructor(open: () => Promise<TeeSink>, expect: TeeExpectation) {
    super();
    this.#open = open;
    this.#expect = expect;
    this.#hasher = hasher(expect.digest.algorithm);
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
    this.#size += chunk.length;
    const { size, what } = this.#expect;
    if (size !== SIZE_UNKNOWN && this.#size > size) {
      return done(new SizeMismatchError(`size mismatch for ${what}: expected ${size} bytes, got at least ${this.#size}`, size, this.#size));
    }
    this.#hasher.update(chunk);
    // The reader gets the chunk at once; the next one is not taken until the sink has stored this
    // one, so a slow disk slows the stream instead of filling memory.
    this.push(chunk);
    this.#sink!.write(chunk).then(() => done(), (err: Error) => done(err));
  }

  override _flush(done: TransformCallback): void {
    const { digest, size, what } = this.#expect;
    if (size !== SIZE_UNKNOWN && this.#size !== size) {
      return done(new SizeMismatchError(`size mismatch for ${what}: expected ${size} bytes, got ${this.#size}`, size, this.#size));
    }
    const actual = new Hash(digest.algorithm, this.#hasher.digest('hex'));
    if (!actual.equals(digest)) {
      return done(new DigestMismatchError(`digest mismatch for ${what}: expected ${digest}, got ${actual}`, digest.toString(), actual.toString()));
    }
    // Committed before the reader sees the end, so whoever waited for it finds the entry there.
    this.#sink!.commit().then(
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
    sink.abort().then(
      () => done(err),
      () => done(err),
    );
  }
}

/**
 * Returns a Transform that passes bytes through unchanged and copies them into the sink that
 * `open` gives (opened before the first byte). At the end of the input the digest and size are
 * checked: a match commits the copy, then the stream ends; a mismatch fails the stream with
 * `DigestMismatchError` or `SizeMismatchError` and aborts the copy, as does any failure or an
 * early `destroy()`.
 *
 * @example
 * const out = pipe(await layer.compressed(), verifiedTee(() => tempFileSink(dir, name), { digest, size, what }));
 */
export function verifiedTee(open: () => Promise<TeeSink>, expect: TeeExpectation): Transform {
  return new VerifiedTee(open, expect);
}
