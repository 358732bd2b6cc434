/**
 * @module Reading images from `docker save` archives (ggcr's `tarball.Image`,
 * `tarball.ImageFromPath`, `tarball.LoadManifest`): the classic layout (manifest.json, a config
 * file and a file per layer) and the OCI layout that Docker ≥ 25, buildkit, `podman save
 * --format oci-archive` and `ctr images export` write, whose stored manifests are kept so digests
 * round-trip. Links inside the archive are followed safely; hostile names are refused.
 */
import { BadDocumentError, NotFoundError } from '../errors/index.ts';
import type { FileSource } from '../internal/archive/file-source.ts';
import { openerTarSource } from '../internal/archive/opener-source.ts';
import { openTarSource } from '../internal/archive/tar-source.ts';
import { MANIFEST_LIMIT } from '../internal/limit/index.ts';
import type { Tag } from '../name/index.ts';
import type { Image, ImageIndex, WithDescriptor } from '../v1/interfaces.ts';
import { Platform } from '../v1/platform.ts';
import { classicImage } from './classic-image.ts';
import { selectEntry } from './classic-select.ts';
import { parseTarballManifest, type Opener, type TarballManifest } from './manifest.ts';
import { sourceIndex } from '../layout/source-index.ts';
import { archiveContext, archiveIndex, isOciArchive, selectOciImage, soleCompleteIndex } from './oci-select.ts';
import { toTag } from './tag-match.ts';

/** Options for reading an image from an archive. */
export interface TarballReadOptions {
  /**
   * Which image: compared with the archive's names after normalising (`busybox` is
   * `index.docker.io/library/busybox:latest`). Without it the archive must hold exactly one image.
   */
  readonly tag?: Tag | string;
  /**
   * For an OCI-layout archive whose image is a multi-platform index: which platform
   * (`linux/arm64`, or a Platform). Without it the index must have exactly one image in the archive.
   */
  readonly platform?: Platform | string;
  readonly signal?: AbortSignal;
}

/** Options for calls that only read. */
export interface TarballSourceOptions {
  readonly signal?: AbortSignal;
}

/**
 * The image the options choose from an archive given as a FileSource. Checks at once that the
 * files it names are there; bytes are read (and verified) when asked for.
 *
 * Throws NotFoundError for a tag or file that is not there, InvalidArgumentError when a tag (or
 * platform) is needed to choose, BadDocumentError for malformed documents, and the archive's own
 * errors (UnsafePathError, BadTarError) for hostile names, links and truncation.
 *
 * @example
 * const img = await imageFromSource(await openTarSource('saved.tar'), { tag: 'busybox' });
 */
export async function imageFromSource(source: FileSource, options: TarballReadOptions = {}): Promise<Image> {
  const { signal } = options;
  const tag = options.tag === undefined ? undefined : toTag(options.tag);
  const platform = typeof options.platform === 'string' ? Platform.parse(options.platform) : options.platform;
  const read = signal ? { signal } : {};
  if (await isOciArchive(source)) {
    const index = await (await archiveIndex(source, signal)).indexManifest();
    const classic = (await source.stat('manifest.json')) ? await loadManifest(source, read) : undefined;
    const choice = await selectOciImage(source, index, classic, { tag, platform, signal });
    if ('image' in choice) return choice.image;
    return classicImage(source, { entry: choice.classic, position: choice.position }, read);
  }
  const manifest = await loadManifest(source, read);
  return classicImage(source, selectEntry(manifest, tag, source.description), read);
}

/**
 * The image from an archive that `opener` streams from the start each time (ggcr's
 * `tarball.Image`): the archive is read again for every file, as ggcr does.
 *
 * @example
 * const img = await image(async () => createReadStream('saved.tar'), { tag: 'app:1.0' });
 */
export async function image(opener: Opener, options: TarballReadOptions = {}): Promise<Image> {
  return imageFromSource(openerTarSource(opener, { description: 'tar stream' }), options);
}

/**
 * The image from the archive at `path` (ggcr's `tarball.ImageFromPath`). The archive is scanned
 * once; each file is then read from its byte range.
 *
 * @example
 * const img = await imageFromPath('busybox.tar');
 * console.log((await img.digest()).toString());
 */
export async function imageFromPath(path: string, options: TarballReadOptions = {}): Promise<Image> {
  return imageFromSource(await openTarSource(path, options.signal ? { signal: options.signal } : {}), options);
}

/**
 * The archive's `manifest.json` (ggcr's `tarball.LoadManifest`), from a FileSource or an opener.
 *
 * @example
 * for (const entry of await loadManifest(await openTarSource('saved.tar'))) console.log(entry.RepoTags);
 */
export async function loadManifest(from: FileSource | Opener, options: TarballSourceOptions = {}): Promise<TarballManifest> {
  const source = typeof from === 'function' ? openerTarSource(from) : from;
  if (!(await source.stat('manifest.json', options))) {
    throw new NotFoundError(`${source.description} has no manifest.json: it is not a docker save archive`);
  }
  const raw = await source.readFile('manifest.json', { limit: MANIFEST_LIMIT, ...options });
  try {
    return parseTarballManifest(raw);
  } catch (err) {
    throw new BadDocumentError(`manifest.json of ${source.description}: ${(err as Error).message}`, '', { cause: err });
  }
}

/**
 * The archive's OCI index (its `index.json`) as an ImageIndex whose children are read from its
 * blobs, for archives in OCI-layout form. NotFoundError for a classic archive.
 *
 * @example
 * const idx = await indexFromSource(await openTarSource('oci.tar'));
 * for (const d of (await idx.indexManifest()).manifests) console.log(d.digest.toString());
 */
export async function indexFromSource(source: FileSource, options: TarballSourceOptions = {}): Promise<ImageIndex & WithDescriptor> {
  if (!(await isOciArchive(source))) {
    throw new NotFoundError(`${source.description} has no index.json and oci-layout: it is not an OCI-layout archive`);
  }
  return archiveIndex(source, options.signal);
}

/**
 * The OCI index of the archive at `path` (see {@link indexFromSource}).
 *
 * @example
 * const idx = await imageIndexFromPath('ctr-export.tar');
 */
export async function imageIndexFromPath(path: string, options: TarballSourceOptions = {}): Promise<ImageIndex & WithDescriptor> {
  return indexFromSource(await openTarSource(path, options), options);
}

/**
 * The multi-platform index an OCI-layout archive holds as its one entry, when the archive holds
 * all of it (buildkit `type=oci`, Docker ≥ 25 saving a multi-platform image): what `crane push`
 * pushes whole. Undefined for a classic archive, a single image, several entries, or an index
 * exported for some platforms only; read those with {@link imageFromSource}.
 *
 * @example
 * const idx = await soleIndexFromSource(await openTarSource('buildkit.tar'));
 * if (idx) await remote.writeIndex('registry.example/app:v1', idx);
 */
export async function soleIndexFromSource(source: FileSource, options: TarballSourceOptions = {}): Promise<(ImageIndex & WithDescriptor) | undefined> {
  if (!(await isOciArchive(source))) return undefined;
  const index = await (await archiveIndex(source, options.signal)).indexManifest();
  const only = await soleCompleteIndex(source, index, options.signal);
  return only && sourceIndex(archiveContext(source), only.raw, only.desc, only.index);
}
