/**
 * @module The config blob seen as a `Layer`, so a blob store or registry can move it like any
 * other blob (ggcr's `partial.ConfigLayer`).
 */
import { Readable } from 'node:stream';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Layer } from '../v1/interfaces.ts';

/** Anything with a raw config blob (every `Image`). */
export interface WithRawConfigFile {
  rawConfigFile(): Promise<Buffer>;
}

/**
 * Returns the config blob as a layer. Its digest and diffID are both the config's digest; its
 * media type is reported as the OCI config type, as ggcr does.
 */
export function configLayer(img: WithRawConfigFile): Layer {
  const hash = async () => Hash.of(await img.rawConfigFile());
  const open = async () => Readable.from([await img.rawConfigFile()]);
  return {
    digest: hash,
    diffID: hash,
    size: async () => (await img.rawConfigFile()).length,
    mediaType: async () => types.OCIConfigJSON,
    compressed: open,
    uncompressed: open,
  };
}
