/**
 * @module The manifest of a classic archive's image whose layer files are compressed: Docker
 * schema 2 as ggcr builds it (config and layers hashed as stored), except that an archive with a
 * zstd layer gets an OCI manifest, since Docker's media types have no zstd, and an uncompressed
 * file among compressed ones is labelled uncompressed (ggcr labels every file gzip).
 */
import type { Compression } from '../internal/compression/index.ts';
import { marshalManifest } from '../internal/gojson/index.ts';
import * as types from '../types/index.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import { Hash } from '../v1/hash.ts';
import type { Manifest } from '../v1/manifest.ts';

/** A layer file as hashed, or a foreign layer's descriptor. */
export type HashedLayer = { readonly digest: Hash; readonly size: number; readonly compression: Compression } | { readonly foreign: Descriptor };

const dockerLayerType: Record<Compression, string> = {
  gzip: types.DockerLayer,
  // Unreachable: any zstd layer makes the manifest OCI.
  zstd: types.OCILayerZStd,
  none: types.DockerUncompressedLayer,
};

const ociLayerType: Record<Compression, string> = {
  gzip: types.OCILayer,
  zstd: types.OCILayerZStd,
  none: types.OCIUncompressedLayer,
};

/** The manifest's bytes, written as Go's encoding/json writes ggcr's `v1.Manifest`. */
export function classicManifest(rawConfig: Buffer, layers: readonly HashedLayer[]): Buffer {
  const oci = layers.some((l) => 'compression' in l && l.compression === 'zstd');
  const layerType = oci ? ociLayerType : dockerLayerType;
  const m: Manifest = {
    schemaVersion: 2,
    mediaType: oci ? types.OCIManifestSchema1 : types.DockerManifestSchema2,
    config: { mediaType: oci ? types.OCIConfigJSON : types.DockerConfigJSON, size: rawConfig.length, digest: Hash.of(rawConfig) },
    layers: layers.map((l) => ('foreign' in l ? l.foreign : { mediaType: layerType[l.compression], size: l.size, digest: l.digest })),
  };
  return marshalManifest(m);
}
