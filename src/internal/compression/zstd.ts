/**
 * @module zstd streams (ggcr's `internal/zstd`). Node 20's zlib has no zstd, so this module uses
 * the optional native `zstd-napi` (about 660 MiB/s decompressing, 240 MiB/s compressing) and,
 * when it is not installed or its binary fails to load, falls back to the pure-JS `fzstd`, which
 * only decompresses (about 130 MiB/s); compressing then throws `ZstdUnavailableError`.
 *
 * Both packages are loaded on first use, synchronously through `createRequire` (they are
 * CommonJS), so importing this module costs nothing and the stream factories stay synchronous.
 *
 * Environment: `CONTAINERREGISTRY_ZSTD=js` forces the `fzstd` fallback even when `zstd-napi` loads
 * (for tests of the fallback, or to sidestep a misbehaving native module). Any other value, or
 * none, means "native if it loads". The variable is read once, on first use.
 */
import { createRequire } from 'node:module';
import type { Duplex, Transform } from 'node:stream';
import { SteppedDecompressor, jsStepDecoder, nativeStepDecoder, type ZstdDCtx } from './zstd-decompress.ts';
import { InvalidArgumentError, ZstdUnavailableError } from '../../errors/index.ts';
import { codecError, mapCallbackErrors } from './codec-errors.ts';
import { DEFAULT_ZSTD_LEVEL, ZSTD_BACKEND_ENV } from './defaults.ts';
import type { DecompressOptions } from './gzip.ts';

/** Options for {@link zstdCompressStream}. */
export interface ZstdOptions {
  /** 1 (fastest) to 22 (smallest); default 1, ggcr's default (see `defaults.ts`). */
  level?: number | undefined;
}

/**
 * The part of zstd-napi's API used here (checked against its `dist/index.d.ts`, 0.0.13). Declared
 * locally so the project type-checks where the optional package is not installed.
 */
interface ZstdNapi {
  CompressStream: new (parameters?: { compressionLevel?: number; checksumFlag?: boolean }) => Transform;
  DecompressStream: new () => Transform;
}

type Backend = { kind: 'native'; zstd: ZstdNapi } | { kind: 'js'; why: string };

const requireCjs = createRequire(import.meta.url);
let backend: Backend | undefined;

function loadBackend(): Backend {
  if (backend) return backend;
  if (process.env[ZSTD_BACKEND_ENV] === 'js') {
    backend = { kind: 'js', why: `${ZSTD_BACKEND_ENV}=js selects the decompress-only JS codec` };
    return backend;
  }
  try {
    const zstd = requireCjs('zstd-napi') as Partial<ZstdNapi>;
    if (typeof zstd.CompressStream !== 'function' || typeof zstd.DecompressStream !== 'function') {
      throw new Error('zstd-napi does not export CompressStream and DecompressStream');
    }
    backend = { kind: 'native', zstd: zstd as ZstdNapi };
  } catch (err) {
    // Only the first line: Node appends the whole require stack, which is noise in a CLI error.
    const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    backend = { kind: 'js', why: `the optional dependency zstd-napi could not be loaded (${reason})` };
  }
  return backend;
}

/**
 * Which codec zstd streams use: `'native'` (zstd-napi) or `'js'` (fzstd, decompress only).
 * Async so that a future backend (node:zlib's zstd on Node ≥ 22.15) can be probed lazily too.
 */
export async function zstdBackend(): Promise<'native' | 'js'> {
  return loadBackend().kind;
}

/**
 * A Transform that zstd-compresses what is written to it. Frames carry a content checksum, as
 * klauspost's encoder (ggcr) and the zstd CLI write by default, so corruption is caught on read.
 * Throws `ZstdUnavailableError` (`ERR_ZSTD_UNAVAILABLE`) when zstd-napi is not usable.
 *
 * @example
 * await pipeline(tarStream, zstdCompressStream(), createWriteStream('layer.tar.zst'));
 */
export function zstdCompressStream(options: ZstdOptions = {}): Transform {
  const level = options.level ?? DEFAULT_ZSTD_LEVEL;
  if (!Number.isInteger(level) || level < 1 || level > 22) {
    throw new InvalidArgumentError(`zstd level must be an integer from 1 to 22, got ${level}`);
  }
  const b = loadBackend();
  if (b.kind === 'js') {
    throw new ZstdUnavailableError(
      `zstd compression needs the native codec, but ${b.why}; install it with \`npm install zstd-napi\``,
    );
  }
  const stream = new b.zstd.CompressStream({ compressionLevel: level, checksumFlag: true });
  mapCallbackErrors(stream, (err) => codecError('zstd', 'compress', undefined, err));
  return stream;
}

/**
 * A Transform that decompresses zstd written to it, with zstd-napi or else fzstd. Concatenated
 * and skippable frames are handled; corrupt, truncated or empty input fails with
 * `CompressionError` (`ERR_COMPRESSION`), as the zstd CLI refuses an empty file.
 *
 * @example
 * await pipeline(blob, zstdDecompressStream({ what: `layer ${digest}` }), tarParser);
 */
export function zstdDecompressStream(options: DecompressOptions = {}): Duplex {
  const b = loadBackend();
  const toError = (err: unknown) => codecError('zstd', 'decompress', options.what, err);
  return b.kind === 'native' ? nativeDecompressor(toError) : jsDecompressor(toError);
}

const emptyInput = () => new Error('unexpected end of input: no zstd frame');

function nativeDecompressor(toError: (err: unknown) => Error): Duplex {
  // The low-level binding: zstd-napi's own DecompressStream pushes a chunk's whole output at once.
  const binding = requireCjs('zstd-napi/binding') as { DCtx: new () => ZstdDCtx; dStreamOutSize(): number };
  return new SteppedDecompressor(nativeStepDecoder(new binding.DCtx(), binding.dStreamOutSize()), toError, emptyInput);
}

function jsDecompressor(toError: (err: unknown) => Error): Duplex {
  const { Decompress } = requireCjs('fzstd') as typeof import('fzstd');
  return new SteppedDecompressor(jsStepDecoder(Decompress), toError, emptyInput);
}
