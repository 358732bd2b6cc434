/**
 * @module Recognising compressed data by its magic bytes, as ggcr's `internal/compression`.
 * Media types are never trusted for this: registries and tarballs mislabel layers often enough
 * that ggcr sniffs everywhere, and so do we.
 */

/** The compressions a layer can have (ggcr's `pkg/compression.Compression`). */
export type Compression = 'none' | 'gzip' | 'zstd';

/** The first bytes of every gzip member (RFC 1952 §2.3.1: ID1, ID2). */
export const GZIP_MAGIC: Uint8Array = Uint8Array.of(0x1f, 0x8b);

/** The first bytes of every zstd frame (RFC 8878 §3.1.1: 0xFD2FB528 little-endian). */
export const ZSTD_MAGIC: Uint8Array = Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd);

/** How many leading bytes `detectCompression` needs to tell every compression apart. */
export const MAGIC_LENGTH = Math.max(GZIP_MAGIC.length, ZSTD_MAGIC.length);

function startsWith(bytes: Uint8Array, magic: Uint8Array): boolean {
  if (bytes.length < magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[i] !== magic[i]) return false;
  return true;
}

/**
 * Names the compression of data from its first bytes. Input too short to hold a magic number is
 * `'none'`, as ggcr treats an EOF while peeking (an empty layer is uncompressed).
 *
 * @example
 * detectCompression(Uint8Array.of(0x1f, 0x8b, 8)); // 'gzip'
 */
export function detectCompression(bytes: Uint8Array): Compression {
  if (startsWith(bytes, GZIP_MAGIC)) return 'gzip';
  if (startsWith(bytes, ZSTD_MAGIC)) return 'zstd';
  return 'none';
}
