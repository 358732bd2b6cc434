/**
 * @module Images and indexes read from the `blobs/` of an OCI-layout archive (Docker ≥ 25 and
 * buildkit `docker save`, `podman save --format oci-archive`, `ctr images export`): the stored
 * manifests are served byte for byte, so digests survive a round trip, and every blob is checked
 * against its descriptor as it is read, layers against the config's diff_ids too.
 */
import type { Readable } from 'node:stream';
import { NotFoundError, UnexpectedMediaTypeError } from '../errors/index.ts';
import type { FileSource } from '../internal/archive/file-source.ts';
import { autoDecompress } from '../internal/compression/index.ts';
import { lazy } from '../internal/lazy/index.ts';
import { compressedToImage } from '../partial/image.ts';
import type { CompressedImageCore, CompressedLayer } from '../partial/cores.ts';
import * as types from '../types/index.ts';
import { parseConfigFile } from '../v1/config.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import { Hash } from '../v1/hash.ts';
import type { Image, ImageIndex, StreamOptions, WithDescriptor } from '../v1/interfaces.ts';
import { parseIndexManifest, parseManifest, type IndexManifest } from '../v1/manifest.ts';
import { blobPath, openVerified, readVerified, verifying } from './verified-file.ts';

/** The image whose manifest `desc` describes, read from the archive's blobs. */
export function blobImage(source: FileSource, desc: Descriptor): Image & WithDescriptor {
  const what = `image ${desc.digest} in ${source.description}`;
  const rawManifest = lazy(() => readVerified(source, blobPath(desc.digest), desc, `manifest of ${what}`));
  const manifest = lazy(async () => parseManifest(await rawManifest()));
  const rawConfig = lazy(async () => {
    const m = await manifest();
    return readVerified(source, blobPath(m.config.digest), m.config, `config of ${what}`);
  });
  const diffIDs = lazy(async () => parseConfigFile(await rawConfig()).rootfs.diff_ids);
  const core: CompressedImageCore & WithDescriptor = {
    rawManifest,
    rawConfigFile: rawConfig,
    // The manifest's own field wins: validate checks the two agree, and index entries are sometimes vaguer.
    mediaType: async () => (await manifest()).mediaType ?? (desc.mediaType || types.OCIManifestSchema1),
    descriptor: async () => desc,
    async layerByDigest(h: Hash): Promise<CompressedLayer> {
      const m = await manifest();
      const index = m.layers.findIndex((d) => d.digest.equals(h));
      if (index < 0) throw new NotFoundError(`${what} has no layer ${h}`);
      const layer = m.layers[index]!;
      const layerWhat = `layer ${index} (${layer.digest}) of ${what}`;
      const compressed = (o?: StreamOptions): Promise<Readable> => openVerified(source, blobPath(layer.digest), layer, layerWhat, o?.signal);
      return {
        digest: async () => layer.digest,
        size: async () => layer.size,
        mediaType: async () => layer.mediaType,
        descriptor: async () => layer,
        compressed,
        async uncompressed(o?: StreamOptions): Promise<Readable> {
          const ids = await diffIDs();
          const tar = await autoDecompress(await compressed(o), o?.signal ? { signal: o.signal } : {});
          // diff_ids line up with layers in a runnable image; otherwise there is nothing to check against.
          const diffID = ids.length === m.layers.length ? ids[index] : undefined;
          return diffID ? verifying(tar, diffID, `${layerWhat}, uncompressed`) : tar;
        },
      };
    },
  };
  return compressedToImage(core) as Image & WithDescriptor;
}

/** An index over raw bytes read from the archive (index.json itself, or a nested index blob). */
export function blobIndex(source: FileSource, raw: () => Promise<Buffer>, desc?: Descriptor): ImageIndex & WithDescriptor {
  const rawManifest = lazy(raw);
  const parsed = lazy(async (): Promise<IndexManifest> => parseIndexManifest(await rawManifest()));
  const digest = lazy(async () => Hash.of(await rawManifest()));
  const mediaType = async (): Promise<string> => (await parsed()).mediaType ?? (desc?.mediaType || types.OCIImageIndex);
  const child = async (h: Hash, kind: string): Promise<Descriptor> => {
    const found = (await parsed()).manifests.find((d) => d.digest.equals(h));
    if (!found) throw new NotFoundError(`${desc ? `index ${desc.digest}` : 'index.json'} of ${source.description} lists no ${kind} ${h}`);
    return found;
  };
  return {
    mediaType,
    digest,
    size: async () => (await rawManifest()).length,
    rawManifest,
    indexManifest: parsed,
    async image(h: Hash): Promise<Image> {
      const d = await child(h, 'image');
      if (types.isIndex(d.mediaType)) throw new UnexpectedMediaTypeError(`${h} in ${source.description} is an index (${d.mediaType}), not an image`);
      return blobImage(source, d);
    },
    async imageIndex(h: Hash): Promise<ImageIndex> {
      const d = await child(h, 'index');
      if (types.isImage(d.mediaType)) throw new UnexpectedMediaTypeError(`${h} in ${source.description} is an image (${d.mediaType}), not an index`);
      return blobIndex(source, () => readVerified(source, blobPath(d.digest), d, `index ${d.digest} in ${source.description}`), d);
    },
    descriptor: async () => desc ?? { mediaType: await mediaType(), size: (await rawManifest()).length, digest: await digest() },
  };
}
