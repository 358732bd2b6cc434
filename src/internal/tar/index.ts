/**
 * @module A streaming tar reader and writer whose output is byte-for-byte what Go's archive/tar
 * writes for the same headers (so layer digests match ggcr's), plus checks for hostile paths.
 */
export type { ParsedTarHeader, TarEntryType, TarFormat, TarHeader } from './header.ts';
export { encodeHeader } from './encode-header.ts';
export { createTarStream, END_OF_ARCHIVE, padding, type TarEntry, type TarStreamOptions } from './writer.ts';
export { readTar, type ReadTarOptions, type TarReadEntry } from './reader.ts';
export {
  checkEntryPath,
  classifyEntryPath,
  safeJoin,
  type SafePathOptions,
  type UnsafePath,
  type UnsafePathReason,
} from './safe-path.ts';
