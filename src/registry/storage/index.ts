/**
 * @module Storage of the embedded registry server: the contract the HTTP layer calls
 * (`RegistryStorage`) and its two backends, in memory (tests) and on disk (persistent,
 * crash-safe, streaming).
 */
export type {
  AppendOptions,
  BlobInfo,
  ByteRange,
  GcOptions,
  GcReport,
  OpenBlobOptions,
  RegistryStorage,
  StoredManifest,
  UploadInfo,
} from './types.ts';
export { createMemoryStorage } from './memory.ts';
export { createDiskStorage, type DiskStorageOptions } from './disk.ts';
