/**
 * @module A single-pass layer over a stream whose size is not known in advance (ggcr's
 * `pkg/v1/stream`): `compressed()` compresses as it reads, hashing both sides on the way; the
 * digest, diffID and size exist only once that stream has been read to its end. Beyond ggcr:
 * zstd as well as gzip, and `uncompressed()` as a single pass too.
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import * as types from '../types/index.ts';
import { ConsumedError, NotComputedError } from '../errors/index.ts';
import { Hash, hasher } from '../v1/hash.ts';
import type { Layer, StreamOptions } from '../v1/interfaces.ts';
import { pipe, withSignal } from '../internal/pipe/index.ts';
import { compressStream, type Compression } from '../internal/compression/index.ts';

export interface StreamLayerOptions {
  /** `gzip` (default, as ggcr) or `zstd`; `none` stores the tar as it is. */
  readonly compression?: Compression;
  /** Codec level; default 1 (ggcr's BestSpeed), since layers are compressed on the fly. */
  readonly level?: number;
  /** Media type of the layer; default follows the compression (Docker gzip, OCI zstd, Docker tar). */
  readonly mediaType?: string;
}

function defaultMediaType(c: Compression): string {
  if (c === 'zstd') return types.OCILayerZStd;
  if (c === 'none') return types.DockerUncompressedLayer;
  return types.DockerLayer;
}

/** Counts and hashes bytes passing through; `result` is set when the stream ends. */
class Meter extends Transform {
  readonly #hash = hasher('sha256');
  #size = 0;
  result: { hash: Hash; size: number } | undefined;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.#hash.update(chunk);
    this.#size += chunk.length;
    cb(null, chunk);
  }
  override _flush(cb: TransformCallback): void {
    this.result = { hash: new Hash('sha256', this.#hash.digest('hex')), size: this.#size };
    cb();
  }
}

/**
 * A layer that can be read once. `digest()`, `diffID()` and `size()` reject with
 * `NotComputedError` until `compressed()` has been read to the end; a second `compressed()` (or
 * `uncompressed()`) rejects with `ConsumedError`.
 */
export class StreamLayer implements Layer {
  readonly #source: Readable;
  readonly #compression: Compression;
  readonly #level: number;
  readonly #mediaType: string;
  #consumed = false;
  #diffID: Meter | undefined;
  #digest: Meter | undefined;

  constructor(source: Readable, options: StreamLayerOptions = {}) {
    this.#source = source;
    this.#compression = options.compression ?? 'gzip';
    this.#level = options.level ?? 1;
    this.#mediaType = options.mediaType ?? defaultMediaType(this.#compression);
  }

  #take(what: string): void {
    if (this.#consumed) throw new ConsumedError(`stream layer already consumed; ${what} can be read only once`);
    this.#consumed = true;
  }

  #notYet(what: string): NotComputedError {
    return new NotComputedError(`stream layer ${what} is not computed until compressed() has been read to its end`);
  }

  async compressed(options?: StreamOptions): Promise<Readable> {
    // The codec first: if it cannot be made, the layer is not consumed and can still be read.
    const codec = compressStream(this.#compression, { level: this.#level });
    this.#take('compressed()');
    this.#diffID = new Meter();
    this.#digest = new Meter();
    const out = pipe(this.#source, this.#diffID, codec, this.#digest);
    return withSignal(out, options?.signal);
  }

  /** The tar as read, hashed on the way; the compressed digest and size stay unknown. */
  async uncompressed(options?: StreamOptions): Promise<Readable> {
    this.#take('uncompressed()');
    this.#diffID = new Meter();
    return withSignal(pipe(this.#source, this.#diffID), options?.signal);
  }

  async digest(): Promise<Hash> {
    const r = this.#digest?.result;
    if (!r) throw this.#notYet('digest');
    return r.hash;
  }

  async diffID(): Promise<Hash> {
    const r = this.#diffID?.result;
    if (!r) throw this.#notYet('diffID');
    return r.hash;
  }

  async size(): Promise<number> {
    const r = this.#digest?.result;
    if (!r) throw this.#notYet('size');
    return r.size;
  }

  async mediaType(): Promise<string> {
    return this.#mediaType;
  }
}

/** Returns a single-pass layer over `source` (ggcr `stream.NewLayer`). */
export function newLayer(source: Readable, options: StreamLayerOptions = {}): StreamLayer {
  return new StreamLayer(source, options);
}
