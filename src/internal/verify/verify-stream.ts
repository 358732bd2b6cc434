/**
 * @module Verifying bytes while they stream (ggcr's `internal/verify.ReadCloser`): every blob
 * read is checked against its descriptor's digest and size without being held in memory.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipe } from '../pipe/index.ts';
import type { DigestMismatchError, SizeMismatchError } from '../../errors/index.ts';
import type { Hash } from '../../v1/hash.ts';
import { SIZE_UNKNOWN, Verifier, type VerifyOptions } from './verifier.ts';

export { SIZE_UNKNOWN, type VerifyOptions };

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

class VerifyingStream extends Transform {
  readonly #verifier: Verifier;
  readonly [VERIFIED]: VerifiedAs;

  constructor(verifier: Verifier) {
    super();
    this.#verifier = verifier;
    this[VERIFIED] = { digest: verifier.options.digest, size: verifier.options.size };
  }

  #fail(err: DigestMismatchError | SizeMismatchError, done: TransformCallback): void {
    // At once when nothing runs first: a source must stop at the first byte too many.
    if (!this.#verifier.options.beforeFail) return done(err);
    void this.#verifier.failing(err).then(done);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const err = this.#verifier.add(chunk);
    if (err) return this.#fail(err, done);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    const err = this.#verifier.end();
    if (err) return this.#fail(err, done);
    done();
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
  return new VerifyingStream(new Verifier(options));
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
  return v ? markVerified(out, v) : out;
}

/** Marks `out` as checking its bytes against `as` on their way out (a pump-capable verified body). */
export function markVerified<T extends Readable>(out: T, as: VerifiedAs): T {
  (out as Readable & { [VERIFIED]?: VerifiedAs })[VERIFIED] = as;
  return out;
}

/**
 * `stream` verified against `options`: the stream itself when one of our verifying streams
 * already checks it for that digest (and size), otherwise piped through a new {@link verifyStream}.
 * Saves hashing every byte twice on paths like registry → layout, where both ends verify; the
 * guarantee is the same, because the upstream check fails the stream before it ends.
 */
export function verifyOnce(stream: Readable, options: VerifyOptions): Readable {
  return checksAs(stream, options) ? stream : pipe(stream, verifyStream(options));
}

/** True when `stream` is one of ours that checks its bytes against `digest` and (unless unknown) `size`. */
export function checksAs(stream: Readable, expected: { readonly digest: Hash; readonly size: number }): boolean {
  const v = verifiedAs(stream);
  return v !== undefined && v.digest.equals(expected.digest) && (expected.size === SIZE_UNKNOWN || v.size === expected.size);
}
