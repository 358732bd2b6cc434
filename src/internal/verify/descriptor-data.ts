/**
 * @module Verifying a descriptor's inline `data` (OCI image-spec descriptor.md, "data"), which a
 * producer may embed to save a round trip; ggcr's `verify.Descriptor`.
 */
import { DigestMismatchError, InvalidArgumentError, SizeMismatchError } from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';

/** The fields of a descriptor that inline data is checked against. */
export interface DescriptorWithData {
  digest: Hash;
  size: number;
  data?: Uint8Array;
}

/**
 * Checks `descriptor.data` against the descriptor's size and digest (with the digest's own
 * algorithm) and returns the data. Throws `InvalidArgumentError` when there is no data,
 * `SizeMismatchError` or `DigestMismatchError` when it does not match.
 *
 * @example
 * const config = verifyDescriptorData(manifest.config); // Uint8Array, trusted
 */
export function verifyDescriptorData(descriptor: DescriptorWithData, options: { what?: string } = {}): Uint8Array {
  const what = options.what ?? `inline data of ${descriptor.digest}`;
  const { data } = descriptor;
  if (data === undefined) {
    throw new InvalidArgumentError(`descriptor ${descriptor.digest} has no inline data to verify`);
  }
  if (data.length !== descriptor.size) {
    const message = `size mismatch for ${what}: expected ${descriptor.size} bytes, got ${data.length}`;
    throw new SizeMismatchError(message, descriptor.size, data.length);
  }
  const expected = descriptor.digest.toString();
  const actual = Hash.of(data, descriptor.digest.algorithm).toString();
  if (actual !== expected) {
    throw new DigestMismatchError(`digest mismatch for ${what}: expected ${expected}, got ${actual}`, expected, actual);
  }
  return data;
}
