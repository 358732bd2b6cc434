/**
 * @module The empty image (`FROM scratch`) and the empty index (ggcr's `pkg/v1/empty`): bases for
 * `mutate`, written with Go's JSON rules so their digests equal ggcr's.
 */
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Image, ImageIndex } from '../v1/interfaces.ts';
import { parseIndexManifest, type IndexManifest } from '../v1/manifest.ts';
import type { ConfigFile } from '../v1/config.ts';
import { NotFoundError } from '../errors/index.ts';
import { uncompressedToImage } from '../partial/image.ts';
import { marshalConfigFile, marshalIndexManifest } from '../internal/gojson/index.ts';

// ggcr's empty config sets only rootfs.type ("some clients check this"); everything else is
// Go's zero value, so diff_ids is a nil slice and is written as null.
const emptyConfig = { architecture: '', os: '', rootfs: { type: 'layers' }, config: {} } as unknown as ConfigFile;

/**
 * The empty Docker schema 2 image. A fresh view each call (views are cheap and immutable).
 *
 * @example
 * const base = empty.image(); // then mutate.appendLayers(base, layer)
 */
export function image(options: { mediaType?: string } = {}): Image {
  const raw = marshalConfigFile(emptyConfig);
  return uncompressedToImage({
    rawConfigFile: async () => raw,
    mediaType: async () => options.mediaType ?? types.DockerManifestSchema2,
    layerByDiffID: async (h) => {
      throw new NotFoundError(`layer with diffID ${h} not found: the empty image has no layers`);
    },
  });
}

/** The empty OCI image index (`manifests: []`). */
export function index(options: { mediaType?: string } = {}): ImageIndex {
  const m = { schemaVersion: 2, mediaType: options.mediaType ?? types.OCIImageIndex, manifests: [] } as IndexManifest;
  const raw = marshalIndexManifest(m);
  const notFound = async (h: Hash): Promise<never> => {
    throw new NotFoundError(`manifest ${h} not found: the index is empty`);
  };
  return {
    mediaType: async () => m.mediaType!,
    digest: async () => Hash.of(raw),
    size: async () => raw.length,
    indexManifest: async () => parseIndexManifest(raw),
    rawManifest: async () => raw,
    image: notFound,
    imageIndex: notFound,
  };
}
