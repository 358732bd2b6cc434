/**
 * @module Content digests (`sha256:<hex>`, `sha512:<hex>`): parsing, validation and hashing of
 * streams without holding them in memory.
 */
import { createHash, type Hash as NodeHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { BadHashError } from '../errors/index.ts';

/** The digest algorithms we compute and accept. sha512 goes past ggcr (which only has sha256). */
export type HashAlgorithm = 'sha256' | 'sha512';

const hexLength: Record<HashAlgorithm, number> = { sha256: 64, sha512: 128 };
const lowerHex = /^[0-9a-f]+$/;

/** An immutable `algorithm:hex` content digest, as ggcr's `v1.Hash`. */
export class Hash {
  readonly algorithm: HashAlgorithm;
  readonly hex: string;

  /** Prefer `Hash.parse` or `new Hash(algorithm, hex)`; both validate. */
  constructor(algorithm: string, hex: string) {
    if (algorithm !== 'sha256' && algorithm !== 'sha512') {
      throw new BadHashError(`unsupported hash algorithm ${JSON.stringify(algorithm)} (want sha256 or sha512)`);
    }
    const want = hexLength[algorithm];
    if (hex.length !== want) {
      throw new BadHashError(`${algorithm} hex must be ${want} characters, got ${hex.length} in ${JSON.stringify(hex)}`);
    }
    if (!lowerHex.test(hex)) {
      throw new BadHashError(`${algorithm} hex must be lowercase hexadecimal, got ${JSON.stringify(hex)}`);
    }
    this.algorithm = algorithm;
    this.hex = hex;
    Object.freeze(this);
  }

  /** Parses `sha256:<64 hex>` or `sha512:<128 hex>`; throws `BadHashError` (`ERR_BAD_HASH`). */
  static parse(s: string): Hash {
    if (typeof s !== 'string') throw new BadHashError(`hash must be a string, got ${typeof s}`);
    const colon = s.indexOf(':');
    if (colon < 0) throw new BadHashError(`cannot parse hash ${JSON.stringify(s)}: want "algorithm:hex"`);
    return new Hash(s.slice(0, colon), s.slice(colon + 1));
  }

  /** True when `s` parses as a hash. */
  static isValid(s: string): boolean {
    try {
      Hash.parse(s);
      return true;
    } catch {
      return false;
    }
  }

  /** The digest of an in-memory document. */
  static of(data: Uint8Array | string, algorithm: HashAlgorithm = 'sha256'): Hash {
    return new Hash(algorithm, createHash(algorithm).update(data).digest('hex'));
  }

  /**
   * Hashes a stream to its end without keeping it, like ggcr's `v1.SHA256(r)`.
   * Returns the digest and the number of bytes read.
   */
  static async fromStream(
    stream: Readable | AsyncIterable<Uint8Array>,
    options: { algorithm?: HashAlgorithm; signal?: AbortSignal } = {},
  ): Promise<{ hash: Hash; size: number }> {
    const algorithm = options.algorithm ?? 'sha256';
    const h = hasher(algorithm);
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      options.signal?.throwIfAborted();
      h.update(chunk);
      size += chunk.length;
    }
    return { hash: new Hash(algorithm, h.digest('hex')), size };
  }

  equals(other: Hash | string | undefined | null): boolean {
    if (other == null) return false;
    return this.toString() === (typeof other === 'string' ? other : other.toString());
  }

  toString(): string {
    return `${this.algorithm}:${this.hex}`;
  }

  toJSON(): string {
    return this.toString();
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Hash(${this.toString()})`;
  }
}

/** A fresh incremental hasher for the algorithm (ggcr's `v1.Hasher`). */
export function hasher(algorithm: HashAlgorithm = 'sha256'): NodeHash {
  if (algorithm !== 'sha256' && algorithm !== 'sha512') {
    throw new BadHashError(`unsupported hash algorithm ${JSON.stringify(algorithm)}`);
  }
  return createHash(algorithm);
}
