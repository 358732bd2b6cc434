/**
 * @module crane's local verbs (ggcr's `crane.Pull`, `Push`, `Load`, `Save`, `MultiSave`,
 * `SaveLegacy`, `SaveOCI`, …): images between registries and the places they live on disk —
 * docker tarballs, legacy `docker save` tarballs and OCI layouts.
 */
import { stat } from 'node:fs/promises';
import { InvalidArgumentError, UnexpectedMediaTypeError } from '../errors/index.ts';
import { parseReference, Tag, type Reference } from '../name/index.ts';
import * as types from '../types/index.ts';
import type { Hash } from '../v1/hash.ts';
import type { Image, ImageIndex } from '../v1/interfaces.ts';
import type { Platform } from '../v1/platform.ts';
import * as remote from '../remote/index.ts';
import { remoteOptions, type CraneOptions } from './options.ts';

/** The tag a digest reference is saved under in a docker tarball, which needs a tag (ggcr). */
export const I_WAS_A_DIGEST_TAG = 'i-was-a-digest';

/** The annotation `crane pull --annotate-ref` sets on layout entries. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** The image `ref` names, an index resolved by `platform` (default linux/amd64) (ggcr `crane.Pull`). */
export async function pull(ref: string, options: CraneOptions = {}): Promise<Image> {
  return remote.image(ref, await remoteOptions(options));
}

/** Pushes `img` to `dst` and returns its digest (ggcr `crane.Push`). */
export async function push(img: Image | ImageIndex, dst: string, options: CraneOptions = {}): Promise<Hash> {
  const o = await remoteOptions(options);
  if ('indexManifest' in img) await remote.writeIndex(dst, img, o);
  else await remote.write(dst, img, o);
  return img.digest();
}

/** What {@link load} picks from an archive. */
export interface LoadOptions {
  /** One of several images, by tag (ggcr `crane.LoadTag`). */
  readonly tag?: string | undefined;
  /** The platform's image when the archive holds a multi-platform index (buildkit `type=oci`, Docker ≥ 25). */
  readonly platform?: Platform | string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Reads the image in a docker (or OCI-layout) tarball; `tag` or `platform` pick one of several (ggcr `crane.Load` / `LoadTag`). */
export async function load(path: string, options: LoadOptions = {}): Promise<Image> {
  const tarball = await import('../tarball/index.ts');
  return tarball.imageFromPath(path, {
    ...(options.tag ? { tag: options.tag } : {}),
    ...(options.platform ? { platform: options.platform } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

function tagFor(ref: Reference): Tag {
  // A tarball names images by tag; a digest reference gets a stand-in tag (ggcr MultiSave).
  return ref.kind === 'tag' ? ref : ref.context().tag(I_WAS_A_DIGEST_TAG);
}

/** Writes `img` as a docker tarball at `path` under `ref` (ggcr `crane.Save`). */
export async function save(img: Image, ref: string, path: string, options: CraneOptions = {}): Promise<void> {
  await multiSave(new Map([[ref, img]]), path, options);
}

/** Writes several images into one docker tarball, atomically (ggcr `crane.MultiSave`). */
export async function multiSave(images: ReadonlyMap<string, Image>, path: string, options: CraneOptions = {}): Promise<void> {
  const tarball = await import('../tarball/index.ts');
  const entries = [...images].map(([ref, img]) => [tagFor(parseReference(ref)), img] as const);
  await tarball.multiWriteToFile(path, entries, writeOptions(options));
}

/** Writes `img` as a legacy (v1) `docker save` tarball (ggcr `crane.SaveLegacy`, without its bug of writing the new format). */
export async function saveLegacy(img: Image, ref: string, path: string, options: CraneOptions = {}): Promise<void> {
  await multiSaveLegacy(new Map([[ref, img]]), path, options);
}

/** Writes several images into one legacy tarball (ggcr `crane.MultiSaveLegacy`). */
export async function multiSaveLegacy(images: ReadonlyMap<string, Image>, path: string, options: CraneOptions = {}): Promise<void> {
  const legacy = await import('../legacy/index.ts');
  const entries = [...images].map(([ref, img]) => [parseReference(ref), img] as const);
  await legacy.multiWriteToFile(path, entries, writeOptions(options));
}

/** What `saveOCI` / `multiSaveOCI` add to each entry. */
export interface SaveOCIOptions extends CraneOptions {
  /** Set `org.opencontainers.image.ref.name` to the full reference (crane pull `--annotate-ref`). */
  readonly annotateRef?: boolean;
}

/** Appends `img` to the OCI layout at `path`, creating it if missing (ggcr `crane.SaveOCI`). */
export async function saveOCI(img: Image | ImageIndex, path: string, options: SaveOCIOptions & { ref?: string } = {}): Promise<void> {
  await multiSaveOCI(new Map([[options.ref ?? '', img]]), path, options);
}

/**
 * Appends several images and indexes to the OCI layout at `path`, creating it if missing
 * (ggcr `crane.MultiSaveOCI`); with `annotateRef` each entry is annotated with its reference.
 */
export async function multiSaveOCI(items: ReadonlyMap<string, Image | ImageIndex>, path: string, options: SaveOCIOptions = {}): Promise<void> {
  const layout = await import('../layout/index.ts');
  const empty = await import('../empty/index.ts');
  const p = await openOrCreateLayout(layout, empty, path);
  for (const [ref, item] of items) {
    const annotations = options.annotateRef && ref ? { [REF_NAME_ANNOTATION]: parseReference(ref).name() } : undefined;
    const o = { ...(annotations ? { annotations } : {}), ...jobsAndSignal(options) };
    if ('indexManifest' in item) await p.appendIndex(item, o);
    else await p.appendImage(item, o);
  }
}

async function openOrCreateLayout(
  layout: typeof import('../layout/index.ts'),
  empty: typeof import('../empty/index.ts'),
  path: string,
): Promise<import('../layout/index.ts').LayoutPath> {
  try {
    await stat(`${path}/index.json`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new InvalidArgumentError(`${path} is a file, not a folder: an OCI layout is a folder`, { cause: err });
    if (code !== 'ENOENT') throw err;
    return layout.write(path, empty.index());
  }
  return layout.fromPath(path);
}

/**
 * What `crane push` pushes from a path (ggcr `loadImage`): a folder is an OCI layout (its one
 * entry, an image or an index; with `index`, its index.json). A file is a tarball: with `index`,
 * the index.json of an OCI-layout archive; otherwise a multi-platform index the archive holds
 * whole as its one entry (buildkit `type=oci`, Docker ≥ 25), else the one image it holds (a
 * classic `docker save`, an image saved under several names, an index exported for one platform).
 */
export async function loadLocal(path: string, options: { index?: boolean; signal?: AbortSignal } = {}): Promise<Image | ImageIndex> {
  const read = options.signal ? { signal: options.signal } : {};
  if (!(await stat(path)).isDirectory()) {
    const tarball = await import('../tarball/index.ts');
    const { openTarSource } = await import('../internal/archive/index.ts');
    const source = await openTarSource(path, read);
    if (options.index) {
      if (!(await tarball.isOciArchive(source))) throw new InvalidArgumentError(`${path} is a docker save archive, not an OCI layout: --index needs an index`);
      return tarball.indexFromSource(source, read);
    }
    return (await tarball.soleIndexFromSource(source, read)) ?? tarball.imageFromSource(source, read);
  }
  const layout = await import('../layout/index.ts');
  const idx = await layout.imageIndexFromPath(path);
  if (options.index) return idx;
  const m = await idx.indexManifest();
  if (m.manifests.length !== 1) {
    throw new InvalidArgumentError(`layout ${path} contains ${m.manifests.length} entries, consider --index`);
  }
  const d = m.manifests[0]!;
  if (types.isImage(d.mediaType)) return idx.image(d.digest);
  if (types.isIndex(d.mediaType)) return idx.imageIndex(d.digest);
  throw new UnexpectedMediaTypeError(`layout ${path} contains a non-image (mediaType: ${JSON.stringify(d.mediaType)}), consider --index`);
}

function jobsAndSignal(o: CraneOptions): { jobs?: number; signal?: AbortSignal } {
  return { ...(o.jobs ? { jobs: o.jobs } : {}), ...(o.signal ? { signal: o.signal } : {}) };
}

function writeOptions(o: CraneOptions): { signal?: AbortSignal; onProgress?: NonNullable<CraneOptions['onProgress']> } {
  return { ...(o.signal ? { signal: o.signal } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) };
}

/** The formats `crane pull` writes. */
export type PullFormat = 'tarball' | 'legacy' | 'oci';

/** Options of {@link pullTo}. */
export interface PullToOptions extends SaveOCIOptions {
  /** `tarball` (default, docker load-able), `legacy` (v1 docker save) or `oci` (an OCI layout directory). */
  readonly format?: PullFormat;
  /** A filesystem layer cache directory: layers found there are not fetched, others are kept there (`--cache_path`). */
  readonly cachePath?: string;
}

/**
 * Pulls several images into one tarball or layout (crane `pull IMAGE... PATH`). With `oci` and
 * no platform an index is stored whole; otherwise each reference resolves to one image.
 *
 * @example
 * await crane.pullTo(['alpine:3.20', 'busybox:1.36'], 'images.tar');
 * await crane.pullTo(['alpine:3.20'], './layout', { format: 'oci', annotateRef: true });
 */
export async function pullTo(refs: readonly string[], path: string, options: PullToOptions = {}): Promise<void> {
  const format = options.format ?? 'tarball';
  if (!['tarball', 'legacy', 'oci'].includes(format)) throw new InvalidArgumentError(`unexpected --format ${JSON.stringify(format)}: expected tarball, legacy or oci`);
  if (refs.length === 0) throw new InvalidArgumentError('pull needs at least one image');
  const o = await remoteOptions(options);
  const c = options.cachePath ? await import('../cache/index.ts') : undefined;
  const layerCache = c && options.cachePath ? c.filesystemCache(options.cachePath) : undefined;
  const items = new Map<string, Image | ImageIndex>();
  const puller = new remote.Puller(o);
  for (const ref of refs) {
    const desc = await puller.get(ref);
    if (format === 'oci' && types.isIndex(desc.mediaType) && !o.platform) {
      const idx = await desc.imageIndex();
      items.set(ref, c && layerCache ? c.imageIndex(idx, layerCache) : idx);
      continue;
    }
    const img = await desc.image();
    items.set(ref, c && layerCache ? c.image(img, layerCache) : img);
  }
  // Progress is the pull's (bytes read from the registry): the writer must not report it twice.
  const { onProgress: _bytes, onBlobProgress: _blobs, ...quiet } = options;
  if (format === 'oci') return multiSaveOCI(items, path, quiet);
  const images = items as Map<string, Image>;
  if (format === 'legacy') return multiSaveLegacy(images, path, quiet);
  return multiSave(images, path, quiet);
}
