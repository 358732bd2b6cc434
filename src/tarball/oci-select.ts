/**
 * @module Choosing one image from an OCI-layout archive (`index.json` + `oci-layout`), which
 * ggcr cannot read (its #1879, #651): by tag through the names index.json records
 * (`io.containerd.image.name`, `org.opencontainers.image.ref.name`), else through Docker ≥ 25's
 * manifest.json RepoTags; without a tag the archive must hold exactly one image. An entry that
 * is itself an index (a multi-platform image) resolves to its one image present in the archive,
 * or to the one matching the `platform` asked for.
 */
import { BadDocumentError, InvalidArgumentError, NotFoundError, UnexpectedMediaTypeError } from '../errors/index.ts';
import type { FileSource } from '../internal/archive/file-source.ts';
import { MANIFEST_LIMIT } from '../internal/limit/index.ts';
import type { Tag } from '../name/index.ts';
import * as types from '../types/index.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import { parseJSON } from '../v1/guard.ts';
import type { Image } from '../v1/interfaces.ts';
import { parseIndexManifest, parseManifest, type IndexManifest } from '../v1/manifest.ts';
import { Platform } from '../v1/platform.ts';
import type { TarballDescriptor, TarballManifest } from './manifest.ts';
import { blobImage } from './oci-views.ts';
import { descriptorNamed, descriptorNames, sameTag } from './tag-match.ts';
import { blobPath, readVerified } from './verified-file.ts';

/** What to choose by. */
export interface OciSelectOptions {
  readonly tag?: Tag | undefined;
  readonly platform?: Platform | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** The image chosen, or the manifest.json entry to read the classic way when index.json has no such image. */
export type OciChoice = { readonly image: Image } | { readonly classic: TarballDescriptor; readonly position: number };

/** Nested indexes deeper than this are not images anyone saved; stop rather than recurse forever. */
const MAX_DEPTH = 4;

/** True when the archive is in OCI-layout form. */
export async function isOciArchive(source: FileSource): Promise<boolean> {
  return (await source.stat('index.json')) !== undefined && (await source.stat('oci-layout')) !== undefined;
}

/** Reads and parses the archive's index.json (and checks oci-layout is JSON), naming the archive in errors. */
export async function readRootIndex(source: FileSource, signal?: AbortSignal): Promise<{ raw: Buffer; index: IndexManifest }> {
  const opts = { limit: MANIFEST_LIMIT, ...(signal ? { signal } : {}) };
  const layout = await source.readFile('oci-layout', opts);
  const raw = await source.readFile('index.json', opts);
  try {
    parseJSON(layout, 'oci-layout');
    return { raw, index: parseIndexManifest(raw) };
  } catch (err) {
    throw new BadDocumentError(`${source.description}: ${(err as Error).message}`, '', { cause: err });
  }
}

function describeEntry(d: Descriptor): string {
  const names = descriptorNames(d);
  const platform = d.platform ? ` ${Platform.toString(d.platform)}` : '';
  return `${d.digest}${platform} (${names.length > 0 ? names.join(', ') : 'no name'})`;
}

function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || d.platform?.os === 'unknown';
}

/** Chooses the image `options` asks for from the archive's index.json (and manifest.json, if any). */
export async function selectOciImage(source: FileSource, index: IndexManifest, classic: TarballManifest | undefined, options: OciSelectOptions): Promise<OciChoice> {
  const { tag } = options;
  const listing = () => index.manifests.map(describeEntry).join('; ') || 'nothing';
  if (tag === undefined) {
    const digests = new Set(index.manifests.map((d) => d.digest.toString()));
    if (digests.size === 1) return { image: await resolveImage(source, index.manifests[0]!, options, 0) };
    if (digests.size === 0) {
      if (classic?.length === 1) return { classic: classic[0]!, position: 0 };
      throw new BadDocumentError(`index.json of ${source.description} lists no images`);
    }
    throw new InvalidArgumentError(`${source.description} holds ${digests.size} images; pass a tag to choose one: ${listing()}`);
  }
  const named = index.manifests.filter((d) => descriptorNamed(d, tag));
  if (new Set(named.map((d) => d.digest.toString())).size > 1) {
    throw new BadDocumentError(`index.json of ${source.description} names ${tag.name()} more than once, for different manifests: ${named.map(describeEntry).join('; ')}`);
  }
  if (named[0]) return { image: await resolveImage(source, named[0], options, 0) };
  // Docker ≥ 25 also records RepoTags in manifest.json; its Config is a blob of an index.json image.
  const position = classic?.findIndex((e) => e.RepoTags.some((t) => sameTag(t, tag))) ?? -1;
  if (position >= 0) {
    const entry = classic![position]!;
    const desc = await findByConfig(source, index.manifests, entry.Config, 0);
    return desc ? { image: await resolveImage(source, desc, options, 0) } : { classic: entry, position };
  }
  const repoTags = classic?.flatMap((e) => e.RepoTags) ?? [];
  throw new NotFoundError(
    `tag ${tag.toString()} (${tag.name()}) not found in ${source.description}; index.json lists ${listing()}` +
      (repoTags.length > 0 ? `; manifest.json has RepoTags ${repoTags.join(', ')}` : ''),
  );
}

/** The image among `descs` (looking one index deep) whose config is the file `configName`. */
async function findByConfig(source: FileSource, descs: readonly Descriptor[], configName: string, depth: number): Promise<Descriptor | undefined> {
  for (const d of descs) {
    if (!(await source.stat(blobPath(d.digest)))) continue;
    if (types.isImage(d.mediaType)) {
      const m = parseManifest(await readVerified(source, blobPath(d.digest), d, `manifest ${d.digest}`));
      if (blobPath(m.config.digest) === configName.replace(/^\.?\/+/, '')) return d;
    } else if (types.isIndex(d.mediaType) && depth < 1) {
      const child = parseIndexManifest(await readVerified(source, blobPath(d.digest), d, `index ${d.digest}`));
      const found = await findByConfig(source, child.manifests, configName, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** The media type of a descriptor that lacks one, from the document itself. */
async function kindOf(source: FileSource, d: Descriptor): Promise<'image' | 'index'> {
  if (types.isImage(d.mediaType)) return 'image';
  if (types.isIndex(d.mediaType)) return 'index';
  if (d.mediaType === '') {
    const doc = parseJSON(await readVerified(source, blobPath(d.digest), d, `manifest ${d.digest}`), `manifest ${d.digest}`);
    if (typeof doc === 'object' && doc !== null) {
      if ('manifests' in doc) return 'index';
      if ('config' in doc) return 'image';
    }
  }
  throw new UnexpectedMediaTypeError(`${d.digest} in ${source.description} has media type ${JSON.stringify(d.mediaType)}, which is neither an image nor an index`);
}

/** Follows `desc` down to one image: itself, or the child of an index the options pick. */
async function resolveImage(source: FileSource, desc: Descriptor, options: OciSelectOptions, depth: number): Promise<Image> {
  if ((await kindOf(source, desc)) === 'image') return blobImage(source, desc);
  if (depth >= MAX_DEPTH) throw new BadDocumentError(`${source.description}: indexes nested more than ${MAX_DEPTH} deep at ${desc.digest}`);
  const raw = await readVerified(source, blobPath(desc.digest), desc, `index ${desc.digest}`, options.signal);
  const child = await pickChild(source, desc, parseIndexManifest(raw).manifests, options.platform);
  return resolveImage(source, child, options, depth + 1);
}

async function present(source: FileSource, d: Descriptor): Promise<boolean> {
  return (await source.stat(blobPath(d.digest))) !== undefined;
}

/**
 * The child of index `parent` meant: the one matching `platform` whose blob is here, or, with no
 * platform, the only image (attestations aside) whose blob is here. `ctr images export` without
 * `--all-platforms` keeps the whole index but only one platform's blobs.
 */
async function pickChild(source: FileSource, parent: Descriptor, children: readonly Descriptor[], platform: Platform | undefined): Promise<Descriptor> {
  const where = `index ${parent.digest} in ${source.description}`;
  const usable = children.filter((c) => !isAttestation(c));
  const listing = usable.map(describeEntry).join('; ') || 'nothing';
  if (platform) {
    const matching = usable.filter((c) => c.platform !== undefined && Platform.satisfies(c.platform, platform));
    for (const c of matching) if (await present(source, c)) return c;
    if (matching.length > 0) {
      throw new NotFoundError(`${where} lists ${matching.map(describeEntry).join('; ')} for ${Platform.toString(platform)}, but the archive does not hold it (exported for other platforms only?)`);
    }
    throw new NotFoundError(`${where} has no image for platform ${Platform.toString(platform)}; it lists ${listing}`);
  }
  const here: Descriptor[] = [];
  for (const c of usable) if (await present(source, c)) here.push(c);
  if (here.length === 1) return here[0]!;
  if (here.length === 0) throw new NotFoundError(`${where} lists ${listing}, but the archive holds none of them`);
  throw new InvalidArgumentError(`${where} holds ${here.length} images (${here.map(describeEntry).join('; ')}); pass a platform to choose one`);
}

/**
 * The index an archive holds as its one entry (repeats of the same digest count once), when it is
 * an index and the archive holds everything it names: every manifest, config and distributable
 * layer, through nested indexes. That is buildkit's `type=oci` and Docker ≥ 25's export of a
 * multi-platform image, which can be pushed whole. Undefined otherwise: a single image, several
 * entries, or an index exported for some platforms only (`ctr images export` without
 * `--all-platforms`), which are read as one image instead.
 */
export async function soleCompleteIndex(source: FileSource, index: IndexManifest, signal?: AbortSignal): Promise<Descriptor | undefined> {
  const distinct = new Map(index.manifests.map((d) => [d.digest.toString(), d]));
  if (distinct.size !== 1) return undefined;
  const only = [...distinct.values()][0]!;
  if (!(await present(source, only)) || (await kindOf(source, only)) !== 'index') return undefined;
  return (await complete(source, only, 0, signal)) ? only : undefined;
}

/** True when the archive holds `desc` and everything it names. */
async function complete(source: FileSource, desc: Descriptor, depth: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (!(await present(source, desc))) return false;
  const kind = await kindOf(source, desc);
  const raw = await readVerified(source, blobPath(desc.digest), desc, `${kind} ${desc.digest}`, signal);
  if (kind === 'index') {
    if (depth >= MAX_DEPTH) throw new BadDocumentError(`${source.description}: indexes nested more than ${MAX_DEPTH} deep at ${desc.digest}`);
    for (const child of parseIndexManifest(raw).manifests) if (!(await complete(source, child, depth + 1, signal))) return false;
    return true;
  }
  const m = parseManifest(raw);
  if (!(await present(source, m.config))) return false;
  for (const l of m.layers) if (types.isDistributable(l.mediaType) && !(await present(source, l))) return false;
  return true;
}
