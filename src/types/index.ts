/**
 * @module Media types of OCI and Docker manifests, configs and layers, with ggcr's predicates
 * (`pkg/v1/types`). Unknown media types are allowed everywhere: a `MediaType` is just a string.
 */

/** A media type string. Known ones are the constants below; others pass through untouched. */
export type MediaType = string;

// OCI image-spec v1.1 (https://github.com/opencontainers/image-spec/blob/v1.1.0/media-types.md)
export const OCIContentDescriptor = 'application/vnd.oci.descriptor.v1+json';
export const OCIImageIndex = 'application/vnd.oci.image.index.v1+json';
/** The OCI image manifest (ggcr's name, kept although it is not "schema 1"). */
export const OCIManifestSchema1 = 'application/vnd.oci.image.manifest.v1+json';
export const OCIConfigJSON = 'application/vnd.oci.image.config.v1+json';
export const OCILayer = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCILayerZStd = 'application/vnd.oci.image.layer.v1.tar+zstd';
export const OCIRestrictedLayer = 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
export const OCIUncompressedLayer = 'application/vnd.oci.image.layer.v1.tar';
export const OCIUncompressedRestrictedLayer = 'application/vnd.oci.image.layer.nondistributable.v1.tar';
/** The empty descriptor's media type (image-spec v1.1 "Guidance for an empty descriptor"). */
export const OCIEmptyJSON = 'application/vnd.oci.empty.v1+json';

// Docker (https://distribution.github.io/distribution/spec/manifest-v2-2/)
export const DockerManifestSchema1 = 'application/vnd.docker.distribution.manifest.v1+json';
export const DockerManifestSchema1Signed = 'application/vnd.docker.distribution.manifest.v1+prettyjws';
export const DockerManifestSchema2 = 'application/vnd.docker.distribution.manifest.v2+json';
export const DockerManifestList = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DockerLayer = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
export const DockerConfigJSON = 'application/vnd.docker.container.image.v1+json';
export const DockerPluginConfig = 'application/vnd.docker.plugin.v1+json';
export const DockerForeignLayer = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';
export const DockerUncompressedLayer = 'application/vnd.docker.image.rootfs.diff.tar';

/** False for layers that registries must not receive by default (foreign / non-distributable). */
export function isDistributable(mt: MediaType): boolean {
  return mt !== DockerForeignLayer && mt !== OCIRestrictedLayer && mt !== OCIUncompressedRestrictedLayer;
}

/** True for single-image manifests: OCI image manifest and Docker schema 2. */
export function isImage(mt: MediaType): boolean {
  return mt === OCIManifestSchema1 || mt === DockerManifestSchema2;
}

/** True for manifest lists: OCI image index and Docker manifest list. */
export function isIndex(mt: MediaType): boolean {
  return mt === OCIImageIndex || mt === DockerManifestList;
}

/** True for image configuration blobs. */
export function isConfig(mt: MediaType): boolean {
  return mt === OCIConfigJSON || mt === DockerConfigJSON;
}

/** True for Docker schema 1 manifests (readable, never produced). */
export function isSchema1(mt: MediaType): boolean {
  return mt === DockerManifestSchema1 || mt === DockerManifestSchema1Signed;
}

const layerTypes: ReadonlySet<string> = new Set([
  OCILayer,
  OCILayerZStd,
  OCIRestrictedLayer,
  OCIUncompressedLayer,
  OCIUncompressedRestrictedLayer,
  DockerLayer,
  DockerForeignLayer,
  DockerUncompressedLayer,
]);

/** True for the eight layer media types ggcr knows. */
export function isLayer(mt: MediaType): boolean {
  return layerTypes.has(mt);
}

/** True for layer media types whose blob is stored uncompressed. */
export function isUncompressedLayer(mt: MediaType): boolean {
  return mt === OCIUncompressedLayer || mt === OCIUncompressedRestrictedLayer || mt === DockerUncompressedLayer;
}

/** True for layer media types that declare zstd compression. */
export function isZstdLayer(mt: MediaType): boolean {
  return mt === OCILayerZStd;
}
