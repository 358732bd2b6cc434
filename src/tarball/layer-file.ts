/**
 * @module Layers from a file or an opener (ggcr's `tarball.LayerFromFile` / `LayerFromOpener`): a
 * tar, gzip or zstd file becomes a `Layer`. Compression is sniffed from the first bytes; plain tars
 * are compressed as they are read. Digest and diffID are computed lazily, by streaming, and
 * memoised — ggcr computes both eagerly at construction, reading and compressing the whole layer
 * before returning.
 */
import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Duplex, Readable } from 'node:stream';
import { InvalidArgumentError } from '../errors/index.ts';
import * as types from '../types/index.ts';
import type { MediaType } from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Layer, StreamOptions } from '../v1/interfaces.ts';
import { compressionForMediaType } from '../partial/layer.ts';
import {
  compressStream,
  decompressStream,
  DEFAULT_GZIP_LEVEL,
  DEFAULT_ZSTD_LEVEL,
  peekCompression,
  type Compression,
} from '../internal/compression/index.ts';
import { hashingStream } from '../internal/verify/index.ts';
import { lazy } from '../internal/lazy/index.ts';
import { pipe, withSignal } from '../internal/pipe/index.ts';
import type { Opener } from './manifest.ts';

/** Options of {@link layerFromFile}, {@link layerFromOpener} and `layerFromReader`. */
export interface LayerFromFileOptions {
  /**
   * How to compress an uncompressed tar: `'gzip'` (default, as ggcr) or `'zstd'`. Input that is
   * already gzip or zstd is used as it is, whatever this says (as ggcr). `'none'` is not a codec:
   * as ggcr's `WithCompression(None)` it warns (`process.emitWarning`, code
   * `CONTAINERREGISTRY_LAYER_COMPRESSION`) and the default applies; to keep a plain tar
   * uncompressed, give an uncompressed `mediaType`.
   */
  compression?: 'gzip' | 'zstd' | 'none';
  /** Codec level for compressing a plain tar: default 1 for both (ggcr's; see compression/defaults.ts). */
  level?: number;
  /**
   * The layer's media type. Default: `DockerLayer` for gzip, `OCILayerZStd` for zstd. A known
   * layer media type must agree with the compression the blob ends up with (ggcr only logs a
   * warning; a mislabelled layer fails later, in someone else's tool); an uncompressed media type
   * (`OCIUncompressedLayer`, …) on a plain tar keeps the blob uncompressed.
   */
  mediaType?: MediaType;
  /** Stops the I/O done while making the layer (sniffing; spooling for `layerFromReader`). */
  signal?: AbortSignal;
}

/** Bytes per read of a layer file: larger reads cut per-chunk overhead in hashing and codecs. */
const FILE_CHUNK = 1024 * 1024;

/**
 * A layer read from the tar, `.tar.gz` or `.tar.zst` file at `path` (ggcr's `LayerFromFile`). The
 * file is opened afresh for every stream and must not change while the layer is in use: its
 * digest is computed once and every stream of it is expected to match.
 *
 * @example
 * const layer = await tarball.layerFromFile('rootfs.tar', { compression: 'zstd' });
 * await layer.digest(); // compresses once, streaming, to learn it
 */
export async function layerFromFile(path: string, options: LayerFromFileOptions = {}): Promise<Layer> {
  const abs = resolve(path);
  const opener: Opener = async (o = {}) => {
    const fh = await open(abs, 'r');
    try {
      return withSignal(fh.createReadStream({ highWaterMark: FILE_CHUNK }), o.signal);
    } catch (err) {
      await fh.close();
      throw err;
    }
  };
  return makeLayer(opener, options, abs);
}

/**
 * A layer whose bytes come from `opener`, called for every stream (ggcr's `LayerFromOpener`). The
 * opener may give a plain tar (common) or a gzip or zstd one; it is called once here to sniff
 * which. A plain tar is compressed on every read of `compressed()`: once to learn the digest and
 * size, and again each time the blob is streamed (ggcr's `WithCompressedCaching` instead keeps the
 * compressed layer in memory; we never hold a layer in memory). The codecs give the same bytes for
 * the same input and level, and writers verify the digest as they stream, so a source that changes
 * between reads is caught rather than written.
 *
 * @example
 * const layer = await tarball.layerFromOpener(async () => createReadStream('layer.tar.gz'));
 */
export function layerFromOpener(opener: Opener, options: LayerFromFileOptions = {}): Promise<Layer> {
  return makeLayer(opener, options, 'layer from opener');
}

/** Sniffs the input, settles compression and media type; `what` names the source in errors. */
async function makeLayer(opener: Opener, options: LayerFromFileOptions, what: string): Promise<Layer> {
  const { signal } = options;
  let { compression } = options;
  if (compression !== undefined && compression !== 'gzip' && compression !== 'zstd' && compression !== 'none') {
    throw new InvalidArgumentError(`${what}: compression must be 'gzip' or 'zstd', got ${JSON.stringify(compression)}`);
  }
  if (compression === 'none') {
    // ggcr logs a warning and gzips; a caller who asked for no compression should hear about it.
    process.emitWarning(`${what}: compression 'none' is not supported for layers from files; using the default (gzip unless the media type is uncompressed)`, {
      code: 'CONTAINERREGISTRY_LAYER_COMPRESSION',
    });
    compression = undefined;
  }
  const head = await opener(signal ? { signal } : {});
  const { compression: input, stream } = await peekCompression(head, signal ? { signal } : {});
  stream.destroy();

  const mt = options.mediaType;
  let stored: Compression = input;
  if (input === 'none') {
    stored = compression ?? (mt !== undefined && types.isLayer(mt) ? compressionForMediaType(mt) : 'gzip');
    const level = options.level ?? (stored === 'zstd' ? DEFAULT_ZSTD_LEVEL : DEFAULT_GZIP_LEVEL);
    // A bad level (or zstd without its native codec) is reported now, not at the first read.
    if (stored !== 'none') compressStream(stored, { level }).destroy();
  }
  const mediaType = mt ?? (stored === 'zstd' ? types.OCILayerZStd : types.DockerLayer);
  if (types.isLayer(mediaType) && compressionForMediaType(mediaType) !== stored) {
    throw new InvalidArgumentError(
      `${what}: the blob is ${describe(stored)} but media type ${mediaType} says ${describe(compressionForMediaType(mediaType))}`,
    );
  }
  return new OpenerLayer(opener, { input, stored, mediaType, level: options.level, what });
}

function describe(c: Compression): string {
  return c === 'none' ? 'uncompressed' : `${c}-compressed`;
}

interface LayerShape {
  /** What the opener yields. */
  readonly input: Compression;
  /** What `compressed()` yields: the input as is, or a plain tar compressed with this codec. */
  readonly stored: Compression;
  readonly mediaType: MediaType;
  readonly level: number | undefined;
  readonly what: string;
}

interface Known {
  digest?: Hash;
  size?: number;
  diffID?: Hash;
}

class OpenerLayer implements Layer {
  readonly #opener: Opener;
  readonly #shape: LayerShape;
  readonly #known: Known = {};
  readonly #compressedPass: () => Promise<void>;
  readonly #uncompressedPass: () => Promise<void>;

  constructor(opener: Opener, shape: LayerShape) {
    this.#opener = opener;
    this.#shape = shape;
    // Each pass learns what it can from the bytes it reads anyway: compressing a plain tar also
    // hashes the tar (the diffID), and decompressing a compressed file also hashes the file.
    this.#compressedPass = lazy(async () => {
      const { input, stored } = this.#shape;
      const codec = stored === input ? undefined : this.#codec();
      const source = await opened(this.#opener, {}, codec);
      const tar = codec ? hashingStream() : undefined;
      const { hash, size } = await Hash.fromStream(codec ? pipe(source, tar!, codec) : source);
      this.#known.digest = hash;
      this.#known.size = size;
      if (tar) this.#known.diffID = tar.digest;
      else if (input === 'none') this.#known.diffID = hash;
    });
    this.#uncompressedPass = lazy(async () => {
      const source = await this.#opener();
      if (this.#shape.input === 'none') {
        const { hash, size } = await Hash.fromStream(source);
        this.#known.diffID = hash;
        if (this.#shape.stored === 'none') Object.assign(this.#known, { digest: hash, size });
        return;
      }
      const blob = hashingStream();
      const { hash } = await Hash.fromStream(pipe(source, blob, decompressStream(this.#shape.input, { what: this.#shape.what })));
      Object.assign(this.#known, { diffID: hash, digest: blob.digest, size: blob.size });
    });
  }

  #codec() {
    const { stored, level } = this.#shape;
    return compressStream(stored, { level: level ?? (stored === 'zstd' ? DEFAULT_ZSTD_LEVEL : DEFAULT_GZIP_LEVEL) });
  }

  /** The digest-is-known marker (see `digestIsKnown` in partial/describe.ts): not before a pass has read the file. */
  digestKnown(): boolean {
    return this.#known.digest !== undefined && this.#known.size !== undefined;
  }

  async digest(): Promise<Hash> {
    if (!this.#known.digest) await this.#compressedPass();
    return this.#known.digest!;
  }

  async size(): Promise<number> {
    if (this.#known.size === undefined) await this.#compressedPass();
    return this.#known.size!;
  }

  async diffID(): Promise<Hash> {
    if (!this.#known.diffID) await this.#uncompressedPass();
    return this.#known.diffID!;
  }

  async mediaType(): Promise<MediaType> {
    return this.#shape.mediaType;
  }

  async compressed(options: StreamOptions = {}): Promise<Readable> {
    const { input, stored } = this.#shape;
    if (stored === input) return this.#opener(options);
    // The codec first: if it cannot be made, no file has been opened to leak.
    const codec = this.#codec();
    return pipe(await opened(this.#opener, options, codec), codec);
  }

  async uncompressed(options: StreamOptions = {}): Promise<Readable> {
    const { input, what } = this.#shape;
    if (input === 'none') return this.#opener(options);
    const codec = decompressStream(input, { what });
    return pipe(await opened(this.#opener, options, codec), codec);
  }
}

/** Opens the source for `codec`, destroying the codec if the source cannot be opened. */
async function opened(opener: Opener, options: StreamOptions, codec: Duplex | undefined): Promise<Readable> {
  try {
    return await opener(options);
  } catch (err) {
    codec?.destroy();
    throw err;
  }
}
