/**
 * @module Random layers: a tar holding one file of random bytes (`random_file_<n>.txt`, as
 * ggcr's fixtures), streamed from a seed and compressed with the codec the media type names.
 */
import { Readable } from 'node:stream';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Layer } from '../v1/interfaces.ts';
import { lazy } from '../internal/lazy/index.ts';
import { encodeHeader, padding, END_OF_ARCHIVE } from '../internal/tar/index.ts';
import { compressionForMediaType, uncompressedToLayer } from '../partial/layer.ts';
import { randomSeed, randomStream } from './bytes.ts';

export interface RandomLayerOptions {
  /** Makes the layer reproducible: the same seed gives the same bytes. Default: a fresh random seed. */
  readonly seed?: string | number;
  /** Codec level for the compressed form; default 1. */
  readonly level?: number;
}

/** The tar stream of a random layer: one file of `byteSize` random bytes. */
function tarStream(seed: string, byteSize: number): Readable {
  const name = `random_file_${createHashName(seed)}.txt`;
  const header = encodeHeader({ name, type: 'file', mode: 0o644, size: byteSize });
  const body = randomStream(seed, byteSize);
  async function* parts(): AsyncGenerator<Buffer> {
    yield header;
    yield* body as AsyncIterable<Buffer>;
    yield padding(byteSize);
    yield Buffer.from(END_OF_ARCHIVE);
  }
  return Readable.from(parts(), { objectMode: false });
}

function createHashName(seed: string): string {
  // A number from the seed, so names differ between layers but not between reads.
  return String(Number.parseInt(Hash.of(seed).hex.slice(0, 8), 16));
}

/**
 * Returns a random layer of `byteSize` random bytes (plus tar framing) with `mediaType`
 * (default Docker gzip). gzip, zstd and uncompressed media types are all honoured.
 *
 * @example
 * const l = random.layer(1024, types.OCILayerZStd, { seed: 1 });
 */
export function layer(byteSize: number, mediaType: string = types.DockerLayer, options: RandomLayerOptions = {}): Layer {
  const seed = String(options.seed ?? randomSeed());
  const diffID = lazy(async () => (await Hash.fromStream(tarStream(seed, byteSize))).hash);
  return uncompressedToLayer(
    {
      diffID,
      uncompressed: async () => tarStream(seed, byteSize),
      mediaType: async () => mediaType,
    },
    { compression: compressionForMediaType(mediaType), level: options.level ?? 1 },
  );
}
