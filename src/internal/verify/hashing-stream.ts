/**
 * @module A pass-through that hashes what flows through it, for producers that learn a digest
 * only by reading (ggcr's `stream.Layer`, uploads of unknown blobs).
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { Hash as NodeHash } from 'node:crypto';
import { NotComputedError } from '../../errors/index.ts';
import { Hash, hasher, type HashAlgorithm } from '../../v1/hash.ts';

/** A Transform that passes bytes through unchanged and knows their digest once it has ended. */
export class HashingStream extends Transform {
  readonly algorithm: HashAlgorithm;
  readonly #hasher: NodeHash;
  #size = 0;
  #digest: Hash | undefined;

  constructor(algorithm: HashAlgorithm = 'sha256') {
    super();
    this.algorithm = algorithm;
    this.#hasher = hasher(algorithm);
  }

  /** Bytes seen so far; the total once the stream has ended. */
  get size(): number {
    return this.#size;
  }

  /** The digest of every byte written; throws `NotComputedError` before the input has ended. */
  get digest(): Hash {
    if (!this.#digest) {
      throw new NotComputedError(`${this.algorithm} digest is not known until the stream has been read to its end`);
    }
    return this.#digest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#hasher.update(chunk);
    this.#size += chunk.length;
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.#digest = new Hash(this.algorithm, this.#hasher.digest('hex'));
    done();
  }
}

/**
 * A pass-through exposing `digest` and `size` once it has ended.
 *
 * @example
 * const h = hashingStream();
 * await pipeline(tar, gzipStream(), h, upload);
 * console.log(h.digest.toString(), h.size);
 */
export function hashingStream(algorithm: HashAlgorithm = 'sha256'): HashingStream {
  return new HashingStream(algorithm);
}
