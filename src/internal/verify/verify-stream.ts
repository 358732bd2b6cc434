/**
 * @module Verifying bytes while they stream (ggcr's `internal/verify.ReadCloser`): every blob
 * read is checked against its descriptor's digest and size without being held in memory.
 */
import type { Readable, Transform, TransformCallback } from 'node:stream';
import { pipe } from '../pipe/index.ts';
import { DigestMismatchError, InvalidArgumentError, SizeMismatchError } from '../../errors/index.ts';
import type { Hash } from '../../v1/hash.ts';
import { HashingStream } from './hashing-stream.ts';

/** The size to pass when it is not known (ggcr's `verify.SizeUnknown`): only the digest is checked. */
export const SIZE_UNKNOWN = -1;

/** What a {@link verifyStream} checks. */
export interface VerifyOptions {
  /** The digest the bytes must have; its algorithm is the one used. */
  digest: Hash;
  /** The exact byte count, or `SIZE_UNKNOWN` (-1). */
  size: number;
  /** What is being read (`layer sha256:…`, `config`), for error messages; default `blob`. */
  what?: string;
  /**
   * Runs when the bytes turn out wrong, before the stream fails with `err`; the error is
   * delivered once it settles (a rejection is ignored). A cache deletes its bad file here, so a
   * caller that retries on the error fetches afresh instead of reading the same bad entry.
   */
  beforeFail?: (err: DigestMismatchError | SizeMismatchError) => Promise<void>;
}

/**
 * Marks a stream whose bytes a verifying stream checks on their way out, so a sink further down
 * can skip hashing them a second time. A global symbol, so two installed copies agree.
 */
const VERIFIED = Symbol.for('containerregistry.verified');

/** What a stream is verified against, if it is one of ours that verifies. */
export interface VerifiedAs {
  readonly digest: Hash;
  readonly size: number;
}

class VerifyingStream extends HashingStream {
  readonly #expected: Hash;
  readonly #expectedSize: number;
  readonly #what: string;
  readonly #beforeFail: VerifyOptions['beforeFail'];
  readonly [VERIFIED]: VerifiedAs;

  constructor(options: VerifyOptions) {
    super(options.digest.algorithm);
    this.#expected = options.digest;
    this.#expectedSize = options.size;
    this.#what = options.what ?? 'blob';
    this.#beforeFail = options.beforeFail;
    this[VERIFIED] = { digest: options.digest, size: options.size };
  }

  #fail(err: DigestMismatchError | SizeMismatchError, done: TransformCallback): void {
    if (!this.#beforeFail) return done(err);
    this.#beforeFail(err).then(
      () => done(err),
      () => done(err),
    );
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, done: TransformCallback): void {
    const total = this.size + chunk.length;
    // Failing on the first byte too many, not at the end, stops a lying or hostile server from
    // making us read (and a sink from storing) far more than the descriptor allows.
    if (this.#expectedSize !== SIZE_UNKNOWN && total > this.#expectedSize) {
      const message = `size mismatch for ${this.#what}: expected ${this.#expectedSize} bytes, got at least ${total}`;
      return this.#fail(new SizeMismatchError(message, this.#expectedSize, total), done);
    }
    super._transform(chunk, encoding, done);
  }

  override _flush(done: TransformCallback): void {
    if (this.#expectedSize !== SIZE_UNKNOWN && this.size !== this.#expectedSize) {
      const message = `size mismatch for ${this.#what}: expected ${this.#expectedSize} bytes, got ${this.size}`;
      return this.#fail(new SizeMismatchError(message, this.#expectedSize, this.size), done);
    }
    super._flush((err) => {
      if (err) return done(err);
      const expected = this.#expected.toString();
      const actual = this.digest.toString();
      if (actual !== expected) {
        const message = `digest mismatch for ${this.#what}: expected ${expected}, got ${actual}`;
        return this.#fail(new DigestMismatchError(message, expected, actual), done);
      }
      done();
    });
  }
}

/**
 * A pass-through that fails with `SizeMismatchError` as soon as more than `size` bytes arrive or
 * at the end if fewer did, and with `DigestMismatchError` at the end if the digest differs. The
 * bytes of a failing stream have already gone downstream, so sinks must write to a temporary
 * place and commit only after the pipeline succeeds.
 *
 * @example
 * await pipeline(body, verifyStream({ digest, size, what: `layer ${digest}` }), file);
 */
export function verifyStream(options: VerifyOptions): Transform {
  const { size } = options;
  if (!Number.isSafeInteger(size) || size < SIZE_UNKNOWN) {
    throw new InvalidArgumentError(`expected size must be a non-negative integer or -1 (unknown), got ${size}`);
  }
  return new VerifyingStream(options);
}

/** The digest and size `stream` is verified against on its way out, or undefined. */
export function verifiedAs(stream: Readable): VerifiedAs | undefined {
  return (stream as Readable & { [VERIFIED]?: VerifiedAs })[VERIFIED];
}

/**
 * Declares that `out` carries exactly the bytes of `from` (a pass-through such as a progress
 * meter), so it is verified as `from` is. Returns `out`.
 */
export function sameBytesAs<T extends Readable>(out: T, from: Readable): T {
  const v = verifiedAs(from);
  if (v) (out as Readable & { [VERIFIED]?: VerifiedAs })[VERIFIED] = v;
  return out;
}

/**
 * `stream` verified against `options`: the stream itself when one of our verifying streams
 * already checks it for that digest (and size), otherwise piped through a new {@link verifyStream}.
 * Saves hashing every byte twice on paths like registry → layout, where both ends verify; the
 * guarantee is the same, because the upstream check fails the stream before it ends.
 */
export function verifyOnce(stream: Readable, options: VerifyOptions): Readable {
  const v = verifiedAs(stream);
  if (v && v.digest.equals(options.digest) && (options.size === SIZE_UNKNOWN || v.size === options.size)) return stream;
  return pipe(stream, verifyStream(options));
}
