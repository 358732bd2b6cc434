/**
 * @module Build full views from minimal cores, and derive facts from views (ggcr's
 * `pkg/v1/partial`). A new source implements a core's three or four methods and calls
 * `compressedToImage` / `uncompressedToLayer` / … to get the rest.
 */
export type { ImageCore, CompressedImageCore, UncompressedImageCore, CompressedLayer, UncompressedLayer } from './cores.ts';
export { compressedToLayer, uncompressedToLayer, compressionForMediaType, type CompressOptions } from './layer.ts';
export { compressedToImage, uncompressedToImage, type UncompressedImageOptions } from './image.ts';
export { configLayer, type WithRawConfigFile } from './config-layer.ts';
export {
  descriptor,
  artifactType,
  diffIDs,
  fsLayers,
  blobDescriptor,
  blobSize,
  blobToDiffID,
  diffIDToBlob,
  uncompressedSize,
  exists,
} from './describe.ts';
export { findManifests, findImages, findIndexes } from './index-children.ts';
