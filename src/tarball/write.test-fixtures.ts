/**
 * @module Test fixtures for the tarball writer: images assembled from given layers (so tests can
 * share a layer between images or add a foreign one), and a tar parser over a whole buffer using
 * tar-stream, an implementation independent of ours.
 */
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { ConfigFile } from '../v1/config.ts';
import type { Image, Layer } from '../v1/interfaces.ts';
import type { Manifest } from '../v1/manifest.ts';
import { compressedToImage } from '../partial/index.ts';
import { marshalConfigFile, marshalManifest } from '../internal/gojson/index.ts';
import { NotFoundError } from '../errors/index.ts';
export { buffer as collect } from 'node:stream/consumers';

/** Extra facts for one layer's manifest descriptor (e.g. `urls` of a foreign layer). */
export interface LayerExtras {
  readonly urls?: readonly string[];
}

/**
 * An image whose manifest lists `layers` in order (Docker schema 2 unless `oci`), with a config
 * naming their diffIDs. `extras[i]` adds fields to layer i's descriptor.
 */
export async function imageOf(
  layers: readonly Layer[],
  options: {
    oci?: boolean;
    extras?: readonly (LayerExtras | undefined)[];
    /** The config's `config` (Entrypoint, Env, …). */
    config?: Record<string, unknown>;
    architecture?: string;
  } = {},
): Promise<Image> {
  const descriptors: Descriptor[] = [];
  const diffIDs: Hash[] = [];
  for (const [i, l] of layers.entries()) {
    const [mediaType, size, digest, diffID] = await Promise.all([l.mediaType(), l.size(), l.digest(), l.diffID()]);
    const urls = options.extras?.[i]?.urls;
    descriptors.push(urls ? { mediaType, size, digest, urls } : { mediaType, size, digest });
    diffIDs.push(diffID);
  }
  const rawConfig = marshalConfigFile({
    architecture: options.architecture ?? 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: diffIDs },
    config: options.config ?? {},
  } as unknown as ConfigFile);
  const mediaType = options.oci ? types.OCIManifestSchema1 : types.DockerManifestSchema2;
  const rawManifest = marshalManifest({
    schemaVersion: 2,
    mediaType,
    config: {
      mediaType: options.oci ? types.OCIConfigJSON : types.DockerConfigJSON,
      size: rawConfig.length,
      digest: Hash.of(rawConfig),
    },
    layers: descriptors,
  } as Manifest);
  return compressedToImage({
    rawConfigFile: async () => rawConfig,
    rawManifest: async () => rawManifest,
    mediaType: async () => mediaType,
    async layerByDigest(h) {
      for (const l of layers) if ((await l.digest()).equals(h)) return l;
      throw new NotFoundError(`fixture image has no layer ${h}`);
    },
  });
}

/** One member of a parsed archive. */
export interface Member {
  readonly header: tarStream.Header;
  readonly body: Buffer;
  /** The raw 512-byte header block as written. */
  readonly block: Buffer;
}

/** Every member of a tar archive held in `archive`, parsed by tar-stream, with its raw header block. */
export async function members(archive: Buffer): Promise<Member[]> {
  const out: Member[] = [];
  const extract = tarStream.extract();
  let offset = 0;
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        const body = Buffer.concat(chunks);
        out.push({ header, body, block: archive.subarray(offset, offset + 512) });
        offset += 512 + Math.ceil(body.length / 512) * 512;
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  Readable.from([archive]).pipe(extract);
  await done;
  return out;
}
