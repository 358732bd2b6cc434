/**
 * @module Compression inside the package: sniffing by magic bytes, gzip (node:zlib) and zstd
 * (zstd-napi, or fzstd for reading) as streams (ggcr's `internal/compression`, `internal/gzip`,
 * `internal/zstd`).
 */
export { detectCompression, GZIP_MAGIC, ZSTD_MAGIC, MAGIC_LENGTH, type Compression } from './detect.ts';
export { peekCompression, type Peeked, type PeekOptions } from './peek.ts';
export { gzipStream, gunzipStream, type GzipOptions, type DecompressOptions } from './gzip.ts';
export { zstdCompressStream, zstdDecompressStream, zstdBackend, type ZstdOptions } from './zstd.ts';
export {
  compressStream,
  decompressStream,
  autoDecompress,
  type CompressOptions,
  type AutoDecompressOptions,
} from './dispatch.ts';
export { DEFAULT_GZIP_LEVEL, DEFAULT_ZSTD_LEVEL, ZLIB_CHUNK_SIZE, ZSTD_BACKEND_ENV } from './defaults.ts';
