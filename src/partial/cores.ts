/**
 * @module The minimal interfaces a source implements; `partial` derives everything else from them
 * (ggcr's `partial` cores). A new backend writes three or four methods, not twenty.
 */
import type { Readable } from 'node:stream';
import type { MediaType } from '../types/index.ts';
import type { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Manifest } from '../v1/manifest.ts';
import type { StreamOptions } from '../v1/interfaces.ts';
import type { Repository } from '../name/index.ts';

/** What every image core has: its config blob and its manifest media type. */
export interface ImageCore {
  rawConfigFile(): Promise<Buffer>;
  mediaType(): Promise<MediaType>;
}

/** A layer known by its compressed blob. `diffID`/`uncompressed` are used when present. */
export interface CompressedLayer {
  digest(): Promise<Hash>;
  compressed(options?: StreamOptions): Promise<Readable>;
  size(): Promise<number>;
  mediaType(): Promise<MediaType>;
  diffID?(): Promise<Hash>;
  uncompressed?(options?: StreamOptions): Promise<Readable>;
  descriptor?(): Promise<Descriptor>;
  /** The repository it can be mounted from (a layer read from a registry), for cross-repository pushes. */
  readonly mountFrom?: Repository | undefined;
}

/** A layer known by its uncompressed tar. `digest`/`size`/`compressed` are used when present. */
export interface UncompressedLayer {
  diffID(): Promise<Hash>;
  uncompressed(options?: StreamOptions): Promise<Readable>;
  mediaType(): Promise<MediaType>;
  descriptor?(): Promise<Descriptor>;
}

/** An image whose manifest exists and whose layers are found by compressed digest. */
export interface CompressedImageCore extends ImageCore {
  rawManifest(): Promise<Buffer>;
  /**
   * The parsed `rawManifest()`, when the core has it already (ggcr's `partial.WithManifest`):
   * the view then uses it instead of parsing the bytes again.
   */
  manifest?(): Promise<Manifest>;
  layerByDigest(h: Hash): Promise<CompressedLayer>;
  descriptor?(): Promise<Descriptor>;
}

/** An image known by its config; layers are found by diffID and the manifest is synthesised. */
export interface UncompressedImageCore extends ImageCore {
  layerByDiffID(h: Hash): Promise<UncompressedLayer>;
  descriptor?(): Promise<Descriptor>;
}
