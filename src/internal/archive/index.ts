/**
 * @module Trees of named files that hold images (an OCI layout directory, an OCI-layout tar, a
 * `docker save` tarball) behind one `FileSource` contract, so readers of layouts and tarballs
 * are written once.
 */
export type { FileInfo, FileReadOptions, FileSource, ReadFileOptions } from './file-source.ts';
export { openTarSource, type TarSourceOptions } from './tar-source.ts';
export { openerTarSource, type OpenerSourceOptions, type StreamOpener } from './opener-source.ts';
export { dirSource } from './dir-source.ts';
