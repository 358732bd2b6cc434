/**
 * @module The three views everything else is built from: `Layer`, `Image`, `ImageIndex`.
 * Every accessor is lazy, async and may fail (ggcr's `(T, error)`); implementations memoise.
 */
import type { Readable } from 'node:stream';
import type { MediaType } from '../types/index.ts';
import type { ConfigFile } from './config.ts';
import type { Descriptor } from './descriptor.ts';
import type { Hash } from './hash.ts';
import type { IndexManifest, Manifest } from './manifest.ts';

/** Options accepted by accessors that open streams. */
export interface StreamOptions {
  readonly signal?: AbortSignal;
}

/** A layer: a (usually compressed) tar blob and its uncompressed form. */
export interface Layer {
  /** Digest of the compressed blob (what manifests name). */
  digest(): Promise<Hash>;
  /** Digest of the uncompressed tar (what the config's `rootfs.diff_ids` name). */
  diffID(): Promise<Hash>;
  /** The compressed blob; each call opens a fresh stream unless the layer is single-pass. */
  compressed(options?: StreamOptions): Promise<Readable>;
  /** The uncompressed tar stream. */
  uncompressed(options?: StreamOptions): Promise<Readable>;
  /** Size in bytes of the compressed blob. */
  size(): Promise<number>;
  mediaType(): Promise<MediaType>;
}

/** A single-platform image: a manifest, a config and layers. */
export interface Image {
  /** The layers, base first (manifest order). */
  layers(): Promise<readonly Layer[]>;
  mediaType(): Promise<MediaType>;
  /** Size in bytes of the raw manifest. */
  size(): Promise<number>;
  /** Digest of the config blob (the "image ID"). */
  configName(): Promise<Hash>;
  configFile(): Promise<ConfigFile>;
  /** The config blob as stored; never re-serialised. Treat as read-only. */
  rawConfigFile(): Promise<Buffer>;
  /** Digest of the raw manifest. */
  digest(): Promise<Hash>;
  manifest(): Promise<Manifest>;
  /** The manifest bytes as stored; never re-serialised. Treat as read-only. */
  rawManifest(): Promise<Buffer>;
  layerByDigest(h: Hash): Promise<Layer>;
  layerByDiffID(h: Hash): Promise<Layer>;
}

/** A multi-platform (or multi-artifact) index of manifests. */
export interface ImageIndex {
  mediaType(): Promise<MediaType>;
  digest(): Promise<Hash>;
  size(): Promise<number>;
  indexManifest(): Promise<IndexManifest>;
  rawManifest(): Promise<Buffer>;
  /** The child image with this manifest digest. */
  image(h: Hash): Promise<Image>;
  /** The child index with this manifest digest. */
  imageIndex(h: Hash): Promise<ImageIndex>;
}

/** Anything with a digest, media type and size: what a descriptor describes. */
export interface Describable {
  digest(): Promise<Hash>;
  mediaType(): Promise<MediaType>;
  size(): Promise<number>;
}

/**
 * Optional extension: a view that knows its own full descriptor (annotations, platform, urls),
 * e.g. a child image read from an index. `partial.descriptor` prefers it.
 */
export interface WithDescriptor {
  descriptor(): Promise<Descriptor>;
}
