/**
 * @module What a `docker load` tarball will hold, worked out before a byte is written: the
 * `manifest.json` entries (ggcr's `ComputeManifest`), the files in write order, and the exact
 * size of the archive (ggcr's `CalculateSize`), all from manifests and configs, never from layer
 * bytes. The writer streams this plan; progress totals come from it.
 */
import { InvalidArgumentError, NotFoundError } from '../errors/index.ts';
import type { Reference } from '../name/index.ts';
import type { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Image } from '../v1/interfaces.ts';
import { isDistributable } from '../types/index.ts';
import { compressionForMediaType } from '../partial/layer.ts';
import { DEFAULT_JOBS, mapLimit } from '../internal/limiter/index.ts';
import { encodeHeader, type TarHeader } from '../internal/tar/index.ts';
import { marshalWithSchema } from '../internal/gojson/index.ts';
import { repoTag, tarballManifestType, type TarballDescriptor, type TarballManifest } from './manifest.ts';
import { raceAbort } from '../internal/abort/index.ts';

export { repoTag };

/** Images to write, each under a reference (a tag names it in `RepoTags`; a digest does not). */
export type TarballImages = Iterable<readonly [Reference, Image]>;

/** One file of the archive and where its bytes come from. */
export type PlannedFile =
  | { readonly kind: 'config'; readonly name: string; readonly size: number; readonly image: Image; readonly digest: Hash }
  | {
      readonly kind: 'layer';
      readonly name: string;
      readonly size: number;
      readonly image: Image;
      /** Position in the image's manifest, which `image.layers()` follows. */
      readonly index: number;
      readonly digest: Hash;
    };

/** Everything the writer needs, computed up front. */
export interface TarballPlan {
  readonly manifest: TarballManifest;
  /** `manifest.json` exactly as ggcr's `json.Marshal(tarball.Manifest)` writes it. */
  readonly manifestJSON: Buffer;
  /** Configs and layers in write order; `manifest.json` follows them. */
  readonly files: readonly PlannedFile[];
  /** Bytes of the whole archive: headers, bodies, padding, end-of-archive marker. */
  readonly size: number;
}


/** Every archive member is written with this header (ggcr's `writeTarEntry`): mode, size, name. */
export function fileHeader(name: string, size: number): TarHeader {
  // uid/gid 0, empty owner names and an mtime of the Unix epoch are the header's zero values,
  // which is what Go writes for a tar.Header that leaves them unset.
  return { name, type: 'file', mode: 0o644, size };
}

/** Bytes a member takes in the archive: its header(s), its body, the body's padding. */
function memberSize(name: string, size: number): number {
  return encodeHeader(fileHeader(name, size)).length + size + ((512 - (size % 512)) % 512);
}

/**
 * The archive name of a layer: the digest's hex (a colon would make GNU tar take the name for a
 * remote tape drive) and an extension naming its compression by media type, so `gunzip` and
 * `zstd -d` accept the file (ggcr #2382).
 */
export function layerFileName(digest: Hash, mediaType: string): string {
  switch (compressionForMediaType(mediaType)) {
    case 'zstd':
      return `${digest.hex}.tar.zst`;
    case 'none':
      return `${digest.hex}.tar`;
    case 'gzip':
      return `${digest.hex}.tar.gz`;
  }
}


interface Grouped {
  readonly image: Image;
  /** undefined is Go's nil slice: the image was named only by digest. */
  tags: string[] | undefined;
}

/** One entry per distinct image object (ggcr keys a Go map by the image), tags in the order given. */
function groupByImage(images: TarballImages): Grouped[] {
  const byImage = new Map<Image, Grouped>();
  for (const [ref, image] of images) {
    let g = byImage.get(image);
    if (!g) {
      g = { image, tags: undefined };
      byImage.set(image, g);
    }
    if (ref.kind === 'tag') (g.tags ??= []).push(repoTag(ref));
  }
  return [...byImage.values()];
}

interface ImageFacts {
  readonly entry: TarballDescriptor;
  readonly tagsForJSON: readonly string[] | undefined;
  readonly image: Image;
  /** The config's name (ggcr names the file by `ConfigName()`) and its size from the manifest. */
  readonly config: { readonly digest: Hash; readonly size: number };
  readonly layers: readonly Descriptor[];
}

async function describeImage(g: Grouped): Promise<ImageFacts> {
  const { image } = g;
  const m = await image.manifest();
  const configDigest = await image.configName();
  const configName = configDigest.toString();
  const layerFiles = m.layers.map((d) => layerFileName(d.digest, d.mediaType));
  const sources: Record<string, Descriptor> = {};
  let diffIDs: readonly Hash[] | undefined;
  for (const [i, d] of m.layers.entries()) {
    if (isDistributable(d.mediaType)) continue;
    // A foreign layer is still written, and also recorded so that loaders which cannot fetch it
    // know where it came from; the key is its diffID, which only the config knows.
    diffIDs ??= (await image.configFile()).rootfs.diff_ids;
    if (diffIDs.length !== m.layers.length) {
      throw new NotFoundError(
        `image ${configName}: config has ${diffIDs.length} diff_ids but the manifest has ${m.layers.length} layers, so foreign layer ${d.digest} has no diffID`,
      );
    }
    sources[diffIDs[i]!.toString()] = d;
  }
  const entry: TarballDescriptor = {
    Config: configName,
    RepoTags: g.tags ?? [],
    Layers: layerFiles,
    ...(Object.keys(sources).length > 0 ? { LayerSources: sources } : {}),
  };
  return { entry, tagsForJSON: g.tags, image, config: { digest: configDigest, size: m.config.size }, layers: m.layers };
}

/** Go's `<` on strings: byte order of the UTF-8 encoding. */
function compareGoStrings(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * Works out the archive for `images`. Fails with InvalidArgumentError when there are none (ggcr:
 * "set of images is empty"). Reads each image's manifest and config name (and its config when it
 * has foreign layers), a few images at a time. An abort of `signal` rejects at once, even while an
 * image is still reading a layer to size it.
 */
export async function planTarball(images: TarballImages, options: { signal?: AbortSignal } = {}): Promise<TarballPlan> {
  const groups = groupByImage(images);
  if (groups.length === 0) throw new InvalidArgumentError('no images to write to the tarball: the set of images is empty');
  const { signal } = options;
  // `Image.manifest()` takes no signal, and an image that must read a layer to size it (an
  // uncompressed layer gzipped to be sized, a layer from an opener) can wait on a stalled source
  // for ever; mapLimit would wait too. At an abort that read is left to end on its own.
  const facts = await raceAbort(mapLimit(groups, DEFAULT_JOBS, (g) => describeImage(g), { signal }), signal);
  // ggcr sorts by the joined tags so the output is stable; Array.prototype.sort is stable too, so
  // images with equal tags (several saved by digest) keep the order they were given in, where
  // Go's unstable sort over a map leaves it to chance.
  facts.sort((a, b) => compareGoStrings(a.entry.RepoTags.join(','), b.entry.RepoTags.join(',')));

  const files: PlannedFile[] = [];
  const written = new Set<string>();
  for (const f of facts) {
    // Each name is written once: a second copy would be a duplicate archive member, which strict
    // readers (ours among them) reject. ggcr dedups layers by hex only; it writes a config twice
    // when two image objects share it.
    const config = f.entry.Config;
    if (!written.has(config)) {
      written.add(config);
      files.push({ kind: 'config', name: config, size: f.config.size, image: f.image, digest: f.config.digest });
    }
    for (const [index, d] of f.layers.entries()) {
      const name = f.entry.Layers[index]!;
      if (written.has(name)) continue;
      written.add(name);
      files.push({ kind: 'layer', name, size: d.size, image: f.image, index, digest: d.digest });
    }
  }

  const manifest = facts.map((f) => f.entry);
  const manifestJSON = marshalWithSchema(
    facts.map((f) => ({ ...f.entry, RepoTags: f.tagsForJSON })),
    tarballManifestType,
  );
  let size = memberSize('manifest.json', manifestJSON.length) + 1024;
  for (const file of files) size += memberSize(file.name, file.size);
  return { manifest, manifestJSON, files, size };
}

/**
 * The `manifest.json` a tarball of `images` will hold (ggcr's `ComputeManifest`): one entry per
 * image, sorted by joined `RepoTags`.
 *
 * @example
 * const m = await tarball.computeManifest([[Tag.parse('app:v1'), img]]);
 * m[0].Layers; // ['<hex>.tar.gz', …]
 */
export async function computeManifest(images: TarballImages): Promise<TarballManifest> {
  return (await planTarball(images)).manifest;
}

/**
 * The exact byte size of the tarball `multiRefWrite(images)` produces (ggcr's `CalculateSize`),
 * from the manifests alone: what progress totals are measured against.
 *
 * @example
 * const total = await tarball.calculateSize([[ref, img]]);
 */
export async function calculateSize(images: TarballImages): Promise<number> {
  return (await planTarball(images)).size;
}
