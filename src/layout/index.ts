/**
 * @module OCI image layouts on disk and in tar archives (ggcr's `pkg/v1/layout`): read a layout
 * folder or any FileSource holding one, write images and indexes into it (append, replace and
 * remove entries by matcher; blobs written atomically, verified and reused), collect unreferenced
 * blobs, and stream OCI-layout tars as podman and buildkit make them.
 */
export { LayoutPath, fromPath, imageIndexFromPath, type BlobReadOptions, type BytesReadOptions, type BlobWriteOptions } from './layout-path.ts';
export { write } from './write.ts';
export { fromFileSource, type LayoutIndex } from './source-index.ts';
export { writeArchive, writeArchiveToFile, type ArchiveOptions } from './archive.ts';
export type { WithBlob } from './tree-writer.ts';
export type { AppendOptions, GarbageCollectOptions, LayoutReadOptions, LayoutWriteOptions } from './options.ts';
