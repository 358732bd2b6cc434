/**
 * @module Choosing a codec by name, and decompressing whatever a stream turns out to hold.
 */
import { PassThrough, pipeline, type Duplex, type Readable, type Transform } from 'node:stream';
import type { Compression } from './detect.ts';
import { gunzipStream, gzipStream, type DecompressOptions } from './gzip.ts';
import { peekCompression } from './peek.ts';
import { zstdCompressStream, zstdDecompressStream } from './zstd.ts';

/** Options for {@link compressStream}. */
export interface CompressOptions {
  /** Codec level; each codec's default is in `defaults.ts`. Ignored for `'none'`. */
  level?: number | undefined;
}

/**
 * A Transform that compresses with `compression` (`'none'` passes bytes through).
 *
 * @example
 * await pipeline(tar, compressStream('gzip'), upload);
 */
export function compressStream(compression: Compression, options: CompressOptions = {}): Transform {
  switch (compression) {
    case 'gzip':
      return gzipStream({ level: options.level });
    case 'zstd':
      return zstdCompressStream({ level: options.level });
    case 'none':
      return new PassThrough();
  }
}

/**
 * A Transform that undoes `compression` (`'none'` passes bytes through).
 *
 * @example
 * await pipeline(blob, decompressStream('zstd', { what: `layer ${digest}` }), sink);
 */
export function decompressStream(compression: Compression, options: DecompressOptions = {}): Duplex {
  switch (compression) {
    case 'gzip':
      return gunzipStream(options);
    case 'zstd':
      return zstdDecompressStream(options);
    case 'none':
      return new PassThrough();
  }
}

/** Options for {@link autoDecompress}. */
export interface AutoDecompressOptions extends DecompressOptions {
  /** Stops waiting for the first bytes. */
  signal?: AbortSignal | undefined;
}

/**
 * Sniffs the compression of `stream` by its magic bytes and returns its decompressed contents
 * (ggcr's layers do this for `Uncompressed()`: media types are not trusted). Uncompressed input
 * comes back as is. Errors of the source or the codec surface on the returned stream, and
 * destroying it destroys the source.
 *
 * @example
 * const tar = await autoDecompress(await layer.compressed());
 */
export async function autoDecompress(stream: Readable, options: AutoDecompressOptions = {}): Promise<Readable> {
  const peeked = await peekCompression(stream, { signal: options.signal });
  if (peeked.compression === 'none') return peeked.stream;
  // The callback form returns the last stream and destroys every stage with the first error, so
  // the caller sees failures on the stream it reads; the callback itself has nothing left to do.
  return pipeline(peeked.stream, decompressStream(peeked.compression, { what: options.what }), () => {});
}
