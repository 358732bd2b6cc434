/**
 * @module `docker save` tarballs (ggcr's `pkg/v1/tarball`): read the classic layout and the OCI
 * layout Docker ≥ 25, buildkit, podman and `ctr images export` write; write and multi-write
 * byte-for-byte as ggcr does, streamed, atomically to files, with progress; layers from files,
 * openers and streams.
 *
 * @example
 * import { tarball } from 'containerregistry';
 * const img = await tarball.imageFromPath('app.tar', { tag: 'app:v1' });
 * await tarball.writeToFile('copy.tar', name.Tag.parse('app:v2'), img);
 */
export {
  image,
  imageFromPath,
  imageFromSource,
  loadManifest,
  indexFromSource,
  imageIndexFromPath,
  soleIndexFromSource,
  type TarballReadOptions,
  type TarballSourceOptions,
} from './image.ts';
export { write, multiWrite, multiRefWrite, type TarballWriteOptions } from './write.ts';
export { writeToFile, multiWriteToFile, multiRefWriteToFile } from './write-file.ts';
export { computeManifest, calculateSize, type TarballImages } from './write-plan.ts';
export { layerFromFile, layerFromOpener, type LayerFromFileOptions } from './layer-file.ts';
export { layerFromReader, type SpooledLayer } from './layer-reader.ts';
export { parseTarballManifest, type Opener, type TarballDescriptor, type TarballManifest } from './manifest.ts';
export { isOciArchive } from './oci-select.ts';
