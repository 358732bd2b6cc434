/**
 * @module The checks of one verified read, apart from any stream: count and hash each piece, fail
 * on the first byte too many, and compare size and digest at the end. `verifyStream` runs it as a
 * Transform; a pump (bytes handed to a synchronous sink, see `internal/pump`) calls it directly.
 */
import type { Hash as NodeHash } from 'node:crypto';
import { DigestMismatchError, InvalidArgumentError, SizeMismatchError } from '../../errors/index.ts';
import { hasher, type Hash } from '../../v1/hash.ts';

/** The size to pass when it is not known (ggcr's `verify.SizeUnknown`): only the digest is checked. */
export const SIZE_UNKNOWN = -1;

/** What a verified read checks. */
export interface VerifyOptions {
  /** The digest the bytes must have; its algorithm is the one used. */
  digest: Hash;
  /** The exact byte count, or `SIZE_UNKNOWN` (-1). */
  size: number;
  /** What is being read (`layer sha256:…`, `config`), for error messages; default `blob`. */
  what?: string;
  /**
   * Runs when the bytes turn out wrong, before the read fails with `err`; the error is
   * delivered once it settles (a rejection is ignored). A cache deletes its bad file here, so a
   * caller that retries on the error fetches afresh instead of reading the same bad entry.
   */
  beforeFail?: (err: DigestMismatchError | SizeMismatchError) => Promise<void>;
}

/** Counts and hashes the pieces of one read and says when they stop matching the descriptor. */
export class Verifier {
  readonly options: VerifyOptions;
  readonly #hasher: NodeHash | undefined;
  #size = 0;

  /** `hash: false` counts only: for a sink that hashes the same bytes against the same digest itself. */
  constructor(options: VerifyOptions, how: { hash?: boolean } = {}) {
    const { size } = options;
    if (!Number.isSafeInteger(size) || size < SIZE_UNKNOWN) {
      throw new InvalidArgumentError(`expected size must be a non-negative integer or -1 (unknown), got ${size}`);
    }
    this.options = options;
    this.#hasher = how.hash === false ? undefined : hasher(options.digest.algorithm);
  }

  /**
   * Takes the next piece; returns the error when it goes past the expected size. Failing on the
   * first byte too many, not at the end, stops a lying or hostile server from making us read (and
   * a sink from storing) far more than the descriptor allows.
   */
  add(piece: Uint8Array): SizeMismatchError | undefined {
    const total = this.#size + piece.length;
    const over = oversizeOf(this.options, total);
    if (over) return over;
    this.#hasher?.update(piece);
    this.#size = total;
    return undefined;
  }

  /** Ends the read: the error when the size or digest is wrong, else undefined. */
  end(): DigestMismatchError | SizeMismatchError | undefined {
    return mismatchOf(this.options, this.#size, this.#hasher?.digest('hex'));
  }

  /** Runs `beforeFail` for `err` (when set), then gives `err` back to be thrown or delivered. */
  failing<E extends DigestMismatchError | SizeMismatchError>(err: E): Promise<E> {
    return failing(this.options, err);
  }
}

/** Runs `options.beforeFail` for `err` (when set; a rejection is ignored), then gives `err` back. */
export async function failing<E extends DigestMismatchError | SizeMismatchError>(options: VerifyOptions, err: E): Promise<E> {
  await options.beforeFail?.(err).catch(() => {});
  return err;
}

/** The error when `total` bytes already exceed what `options` expects; undefined otherwise. */
export function oversizeOf(options: VerifyOptions, total: number): SizeMismatchError | undefined {
  const expected = options.size;
  if (expected === SIZE_UNKNOWN || total <= expected) return undefined;
  return new SizeMismatchError(`size mismatch for ${options.what ?? 'blob'}: expected ${expected} bytes, got at least ${total}`, expected, total);
}

/**
 * What is wrong with a whole read of `size` bytes hashing to `hex` (not checked when undefined),
 * as `options` expects them; undefined when nothing is.
 */
export function mismatchOf(options: VerifyOptions, size: number, hex: string | undefined): DigestMismatchError | SizeMismatchError | undefined {
  const what = options.what ?? 'blob';
  if (options.size !== SIZE_UNKNOWN && size !== options.size) {
    return new SizeMismatchError(`size mismatch for ${what}: expected ${options.size} bytes, got ${size}`, options.size, size);
  }
  if (hex === undefined) return undefined;
  const expected = options.digest.toString();
  const actual = `${options.digest.algorithm}:${hex}`;
  return actual === expected ? undefined : new DigestMismatchError(`digest mismatch for ${what}: expected ${expected}, got ${actual}`, expected, actual);
}
