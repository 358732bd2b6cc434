/**
 * @module The defaults of every codec in one place, each with the reason it was chosen.
 */

/**
 * gzip level for layers we compress ourselves: 1 (zlib's BEST_SPEED), as ggcr's
 * `tarball.LayerFromOpener` and `internal/gzip.ReadCloser` use `gzip.BestSpeed`. Level 1 runs at
 * about 118 MiB/s here against about 40 MiB/s for level 6, and layers are compressed once and
 * transferred a handful of times, so speed wins over the few percent of size (ts-anchors §2.3).
 */
export const DEFAULT_GZIP_LEVEL = 1;

/**
 * zstd level for layers we compress ourselves: 1, the level ggcr passes to its zstd encoder by
 * default (`internal/zstd.ReadCloser`), which maps to klauspost's `SpeedFastest`.
 */
export const DEFAULT_ZSTD_LEVEL = 1;

/**
 * Output chunk size for node:zlib in both directions. 256 KiB measured fastest here: gzip level
 * 1 goes from 87 MiB/s (zlib's 16 KiB default) to 118 MiB/s, gunzip from 236 to 472 MiB/s
 * (ts-anchors §2.3), because fewer, larger chunks mean fewer trips through the stream machinery.
 */
export const ZLIB_CHUNK_SIZE = 256 * 1024;

/**
 * Name of the environment variable that picks the zstd backend. `js` forces the pure-JS `fzstd`
 * fallback even when `zstd-napi` is installed (decompression only; compression then throws
 * `ZstdUnavailableError`), so the fallback can be tested and used where a native module misbehaves.
 */
export const ZSTD_BACKEND_ENV = 'CONTAINERREGISTRY_ZSTD';
