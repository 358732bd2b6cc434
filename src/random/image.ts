/**
 * @module Random images and indexes: ggcr's test fixtures, seedable so a test can rebuild the
 * same digests, with gzip, zstd or uncompressed layers, Docker or OCI media types, and platforms.
 */
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Image, ImageIndex, Layer } from '../v1/interfaces.ts';
import { parseIndexManifest, type IndexManifest } from '../v1/manifest.ts';
import { Platform } from '../v1/platform.ts';
import type { ConfigFile } from '../v1/config.ts';
import { NotFoundError, UnexpectedMediaTypeError } from '../errors/index.ts';
import { lazy } from '../internal/lazy/index.ts';
import { marshalConfigFile, marshalIndexManifest } from '../internal/gojson/index.ts';
import { uncompressedToImage } from '../partial/image.ts';
import type { Compression } from '../internal/compression/index.ts';
import { layer as randomLayer } from './layer.ts';
import { randomSeed } from './bytes.ts';

export interface RandomImageOptions {
  /** Same seed, same image (every byte and digest). Default: a fresh random seed. */
  readonly seed?: string | number;
  /** Layer compression; default gzip. */
  readonly compression?: Compression;
  /** `docker` (default, as ggcr's random.Image) or `oci` media types. */
  readonly format?: 'docker' | 'oci';
  /** Platform written into the config (os, architecture, variant, os.version). */
  readonly platform?: Platform;
  /** Codec level; default 1. */
  readonly level?: number;
}

function layerMediaType(format: 'docker' | 'oci', c: Compression): string {
  if (c === 'zstd') return types.OCILayerZStd;
  if (format === 'oci') return c === 'none' ? types.OCIUncompressedLayer : types.OCILayer;
  return c === 'none' ? types.DockerUncompressedLayer : types.DockerLayer;
}

/**
 * Returns an image of `layers` random layers of `byteSize` bytes each (ggcr `random.Image`).
 *
 * @example
 * const img = random.image(1024, 3, { seed: 42, compression: 'zstd' });
 */
export function image(byteSize: number, layers: number, options: RandomImageOptions = {}): Image {
  const seed = String(options.seed ?? randomSeed());
  const format = options.format ?? 'docker';
  const mediaType = layerMediaType(format, options.compression ?? 'gzip');
  const ls: Layer[] = [];
  for (let i = 0; i < layers; i++) {
    ls.push(randomLayer(byteSize, mediaType, { seed: `${seed}/layer/${i}`, level: options.level ?? 1 }));
  }
  const rawConfig = lazy(async () => {
    const diffIDs = await Promise.all(ls.map((l) => l.diffID()));
    const p = options.platform;
    const cf: Record<string, unknown> = {
      architecture: p?.architecture ?? 'amd64',
      os: p?.os ?? 'linux',
      rootfs: { type: 'layers', diff_ids: diffIDs },
      config: {},
      history: diffIDs.map((_, i) => ({
        author: 'random.Image',
        comment: `this is a random history ${i + 1} of ${layers}`,
        created_by: 'random',
      })),
    };
    if (p?.variant) cf['variant'] = p.variant;
    if (p?.['os.version']) cf['os.version'] = p['os.version'];
    return marshalConfigFile(cf as unknown as ConfigFile);
  });
  const byDiffID = async (h: Hash): Promise<Layer> => {
    for (const l of ls) if ((await l.diffID()).equals(h)) return l;
    throw new NotFoundError(`random image has no layer with diffID ${h}`);
  };
  return uncompressedToImage(
    {
      rawConfigFile: rawConfig,
      mediaType: async () => (format === 'oci' ? types.OCIManifestSchema1 : types.DockerManifestSchema2),
      layerByDiffID: byDiffID,
    },
    { level: options.level ?? 1 },
  );
}

export interface RandomIndexOptions extends Omit<RandomImageOptions, 'platform'> {
  /** Platforms of the children, cycled; children get no platform when absent (as ggcr). */
  readonly platforms?: readonly (Platform | string)[];
}

/**
 * Returns an OCI index of `count` random images (ggcr `random.Index`). With `platforms`, each
 * child's config and descriptor carry its platform.
 *
 * @example
 * const idx = random.index(1024, 2, 3, { platforms: ['linux/amd64', 'linux/arm64/v8'] });
 */
export function index(byteSize: number, layers: number, count: number, options: RandomIndexOptions = {}): ImageIndex {
  const seed = String(options.seed ?? randomSeed());
  const platforms = (options.platforms ?? []).map((p) => (typeof p === 'string' ? Platform.parse(p) : p));
  const children = Array.from({ length: count }, (_, i) => {
    const platform = platforms.length ? platforms[i % platforms.length] : undefined;
    const img = image(byteSize, layers, { ...options, seed: `${seed}/image/${i}`, ...(platform ? { platform } : {}) });
    return { img, platform };
  });
  const rawManifest = lazy(async () => {
    const manifests: Descriptor[] = [];
    for (const { img, platform } of children) {
      const [mediaType, size, digest] = await Promise.all([img.mediaType(), img.size(), img.digest()]);
      manifests.push(platform ? { mediaType, size, digest, platform } : { mediaType, size, digest });
    }
    return marshalIndexManifest({ schemaVersion: 2, mediaType: types.OCIImageIndex, manifests } as IndexManifest);
  });
  const indexManifest = lazy(async () => parseIndexManifest(await rawManifest()));
  return {
    mediaType: async () => types.OCIImageIndex,
    rawManifest,
    indexManifest,
    digest: async () => Hash.of(await rawManifest()),
    size: async () => (await rawManifest()).length,
    async image(h: Hash): Promise<Image> {
      for (const { img } of children) if ((await img.digest()).equals(h)) return img;
      throw new NotFoundError(`random index has no image ${h}`);
    },
    async imageIndex(h: Hash): Promise<ImageIndex> {
      throw new UnexpectedMediaTypeError(`random index has no child index ${h}: its children are images`);
    },
  };
}
