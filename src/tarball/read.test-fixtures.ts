/**
 * @module Archives for the tarball reader's tests (not a test file itself), built by hand from
 * random images: classic `docker save` layouts (compressed or not, with links as podman writes
 * them) and OCI layouts (as Docker ≥ 25, podman and ctr write them), so each test states exactly
 * which bytes it reads.
 */
import { collect, file, symlink } from '../internal/archive/archive.test-fixtures.ts';
import type { TarEntry } from '../internal/tar/index.ts';
import { marshalIndexManifest } from '../internal/gojson/index.ts';
import * as types from '../types/index.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import { Hash } from '../v1/hash.ts';
import type { Image } from '../v1/interfaces.ts';
import type { IndexManifest } from '../v1/manifest.ts';

/** The bytes of an image, gathered once for building archives. */
export interface ImageBytes {
  readonly rawManifest: Buffer;
  readonly rawConfig: Buffer;
  readonly digest: string;
  readonly configHex: string;
  readonly mediaType: string;
  readonly layers: readonly { readonly compressed: Buffer; readonly tar: Buffer; readonly digestHex: string; readonly diffIDHex: string; readonly desc: Descriptor }[];
}

export async function imageBytes(img: Image): Promise<ImageBytes> {
  const m = await img.manifest();
  const layers = [];
  for (const [i, l] of (await img.layers()).entries()) {
    layers.push({
      compressed: await collect(await l.compressed()),
      tar: await collect(await l.uncompressed()),
      digestHex: (await l.digest()).hex,
      diffIDHex: (await l.diffID()).hex,
      desc: m.layers[i]!,
    });
  }
  return {
    rawManifest: await img.rawManifest(),
    rawConfig: await img.rawConfigFile(),
    digest: (await img.digest()).toString(),
    configHex: (await img.configName()).hex,
    mediaType: await img.mediaType(),
    layers,
  };
}

/** How a classic archive stores layers: compressed blobs, uncompressed tars, or podman's links. */
export type ClassicStyle = 'compressed' | 'uncompressed' | 'podman-links';

/** Entries of a classic archive holding `images` (each with its RepoTags); manifest.json last, as ggcr writes. */
export function classicEntries(images: readonly { bytes: ImageBytes; tags: string[] }[], style: ClassicStyle, manifestJson?: string): TarEntry[] {
  const entries: TarEntry[] = [];
  const manifest = images.map(({ bytes, tags }) => {
    entries.push(file(`${bytes.configHex}.json`, bytes.rawConfig));
    const names = bytes.layers.map((l) => {
      if (style === 'compressed') {
        entries.push(file(`${l.digestHex}.tar.gz`, l.compressed));
        return `${l.digestHex}.tar.gz`;
      }
      if (style === 'uncompressed') {
        entries.push(file(`${l.diffIDHex}/layer.tar`, l.tar));
        return `${l.diffIDHex}/layer.tar`;
      }
      entries.push(file(`${l.diffIDHex}.tar`, l.tar), symlink(`v1-${l.diffIDHex}/layer.tar`, `../${l.diffIDHex}.tar`));
      return `v1-${l.diffIDHex}/layer.tar`;
    });
    return { Config: `${bytes.configHex}.json`, RepoTags: tags, Layers: names };
  });
  entries.push(file('manifest.json', manifestJson ?? JSON.stringify(manifest)));
  return entries;
}

/** An index.json entry for an image, with name annotations. */
export function indexEntry(bytes: ImageBytes, annotations?: Record<string, string>, platform?: { os: string; architecture: string }): Descriptor {
  return {
    mediaType: bytes.mediaType,
    size: bytes.rawManifest.length,
    digest: Hash.parse(bytes.digest),
    ...(annotations ? { annotations } : {}),
    ...(platform ? { platform } : {}),
  };
}

/** index.json's bytes for `manifests`. */
export function indexJson(manifests: readonly Descriptor[], mediaType: string = types.OCIImageIndex): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: manifests.map((d) => ({ ...d, digest: d.digest.toString() })),
    }),
  );
}

/** The blob entries of `images` (manifest, config, layers as stored), deduplicated. */
export function blobEntries(images: readonly ImageBytes[], extra: readonly Buffer[] = []): TarEntry[] {
  const seen = new Set<string>();
  const out: TarEntry[] = [];
  const add = (hex: string, data: Buffer) => {
    if (seen.has(hex)) return;
    seen.add(hex);
    out.push(file(`blobs/sha256/${hex}`, data));
  };
  for (const b of images) {
    add(b.digest.slice('sha256:'.length), b.rawManifest);
    add(b.configHex, b.rawConfig);
    for (const l of b.layers) add(l.digestHex, l.compressed);
  }
  for (const data of extra) add(hexOf(data), data);
  return out;
}

function hexOf(data: Buffer): string {
  return Hash.of(data).hex;
}

/** An OCI-layout archive's entries: oci-layout, blobs, index.json (and whatever else is passed). */
export function ociEntries(index: Buffer, blobs: readonly TarEntry[], more: readonly TarEntry[] = []): TarEntry[] {
  return [file('oci-layout', '{"imageLayoutVersion":"1.0.0"}'), ...blobs, file('index.json', index), ...more];
}

/** A nested index document over `children`, as bytes. */
export function nestedIndex(children: readonly Descriptor[]): Buffer {
  return marshalIndexManifest({ schemaVersion: 2, mediaType: types.OCIImageIndex, manifests: children } as IndexManifest);
}
