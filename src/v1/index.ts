/**
 * @module Core image model (ggcr's `pkg/v1`): `Hash`, descriptors, manifests, indexes, config
 * files, platforms, and the `Image` / `ImageIndex` / `Layer` interfaces.
 */
export { Hash, hasher, type HashAlgorithm } from './hash.ts';
export { Time } from './time.ts';
export { Platform } from './platform.ts';
export { parseDescriptorValue, type Descriptor } from './descriptor.ts';
export { parseManifest, parseIndexManifest, parseDescriptor, type Manifest, type IndexManifest } from './manifest.ts';
export {
  parseConfigFile,
  parseContainerConfig,
  configPlatform,
  type ConfigFile,
  type Config,
  type HealthConfig,
  type History,
  type RootFS,
} from './config.ts';
export type { Layer, Image, ImageIndex, Describable, WithDescriptor, StreamOptions } from './interfaces.ts';
export type { Update, ProgressCallback, BlobUpdate, BlobProgressCallback } from './progress.ts';
export type { MediaType } from '../types/index.ts';
