/**
 * @module gzip streams over node:zlib (ggcr's `internal/gzip`). zlib runs on libuv's thread pool,
 * so several layers compress in parallel without blocking the event loop.
 */
import { createGunzip, createGzip } from 'node:zlib';
import type { Transform } from 'node:stream';
import { InvalidArgumentError } from '../../errors/index.ts';
import { codecError, mapZlibErrors } from './codec-errors.ts';
import { DEFAULT_GZIP_LEVEL, ZLIB_CHUNK_SIZE } from './defaults.ts';

/** Options for {@link gzipStream}. */
export interface GzipOptions {
  /** 0 (store) to 9 (smallest); default 1, ggcr's `gzip.BestSpeed` (see `defaults.ts`). */
  level?: number | undefined;
}

/** Options for the decompressing streams. */
export interface DecompressOptions {
  /** What is being decompressed (`layer sha256:…`, a path), for error messages. */
  what?: string | undefined;
}

/**
 * A Transform that gzips what is written to it.
 *
 * @example
 * await pipeline(createReadStream('layer.tar'), gzipStream(), createWriteStream('layer.tar.gz'));
 */
export function gzipStream(options: GzipOptions = {}): Transform {
  const level = options.level ?? DEFAULT_GZIP_LEVEL;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new InvalidArgumentError(`gzip level must be an integer from 0 to 9, got ${level}`);
  }
  const stream = createGzip({ level, chunkSize: ZLIB_CHUNK_SIZE });
  mapZlibErrors(stream, (err) => codecError('gzip', 'compress', undefined, err));
  return stream;
}

/**
 * A Transform that gunzips what is written to it. Concatenated gzip members are decoded as one
 * stream (as Go's `gzip.Reader`); corrupt, truncated or empty input, or non-zero bytes after the
 * last member, fail with `CompressionError` (`ERR_COMPRESSION`). Zero padding after the last
 * member is accepted (node:zlib skips it, as GNU gzip does; Go's reader refuses it): the layer's
 * digest still covers those bytes, so nothing unverified gets through.
 *
 * @example
 * await pipeline(blob, gunzipStream({ what: `layer ${digest}` }), tarParser);
 */
export function gunzipStream(options: DecompressOptions = {}): Transform {
  const stream = createGunzip({ chunkSize: ZLIB_CHUNK_SIZE });
  mapZlibErrors(stream, (err) => codecError('gzip', 'decompress', options.what, err));
  return stream;
}
