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
import { blobName } from '../layout/blob-writer.ts';
import { inFile, readDocument, whereIs, type SourceContext } from '../layout/source-blobs.ts';
import { rootIndex, sourceImage, type LayoutIndex } from '../layout/source-index.ts';
import type { Tag } from '../name/index.ts';
import * as types from '../types/index.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import { expectObject, parseJSON } from '../v1/guard.ts';
import type { Image } from '../v1/interfaces.ts';
import { parseIndexManifest, parseManifest, type IndexManifest, type Manifest } from '../v1/manifest.ts';
import { Platform } from '../v1/platform.ts';
import type { TarballDescriptor, TarballManifest } from './manifest.ts';
import { descriptorNamed, descriptorNames, sameTag } from './tag-match.ts';

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

/**
 * How an OCI-layout archive is read: by the layout module's views over its entries, reporting
 * each document's own media type (see `SourceContext.mediaTypes`). `signal` stops the reads made
 * through it; views that outlive the call are given none.
 */
export function archiveContext(source: FileSource, signal?: AbortSignal): SourceContext {
  return { source, signal, mediaTypes: 'document' };
}

/**
 * The view of the archive's index.json (its oci-layout checked to be JSON too), read and parsed
 * once by the layout module's one reader. `signal` stops that read; the view, which outlives the
 * call, is given none.
 */
export function archiveIndex(source: FileSource, signal?: AbortSignal): Promise<LayoutIndex> {
  return rootIndex(archiveContext(source), { signal, requireLayoutFile: true });
}

/** True when the archive is in OCI-layout form. */
export async function isOciArchive(source: FileSource): Promise<boolean> {
  return (await source.stat('index.json')) !== undefined && (await source.stat('oci-layout')) !== undefined;
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
  const ctx = archiveContext(source, options.signal);
  const listing = () => index.manifests.map(describeEntry).join('; ') || 'nothing';
  if (tag === undefined) {
    const digests = new Set(index.manifests.map((d) => d.digest.toString()));
    if (digests.size === 1) return { image: await resolveImage(ctx, index.manifests[0]!, options, 0) };
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
  if (named[0]) return { image: await resolveImage(ctx, named[0], options, 0) };
  // Docker ≥ 25 also records RepoTags in manifest.json; its Config is a blob of an index.json image.
  const position = classic?.findIndex((e) => e.RepoTags.some((t) => sameTag(t, tag))) ?? -1;
  if (position >= 0) {
    const entry = classic![position]!;
    const found = await findByConfig(ctx, index.manifests, entry.Config, 0);
    // The manifest found is handed on: over an opener archive a second read is another pass.
    return found ? { image: sourceImage(archiveContext(ctx.source), found.desc, found.doc) } : { classic: entry, position };
  }
  const repoTags = classic?.flatMap((e) => e.RepoTags) ?? [];
  throw new NotFoundError(
    `tag ${tag.toString()} (${tag.name()}) not found in ${source.description}; index.json lists ${listing()}` +
      (repoTags.length > 0 ? `; manifest.json has RepoTags ${repoTags.join(', ')}` : ''),
  );
}

/** The image among `descs` (looking one index deep) whose config is the file `configName`, with its manifest as read. */
async function findByConfig(
  ctx: SourceContext,
  descs: readonly Descriptor[],
  configName: string,
  depth: number,
): Promise<{ desc: Descriptor; doc: KindedDocument & { kind: 'image' } } | undefined> {
  for (const d of descs) {
    if (!(types.isImage(d.mediaType) || (types.isIndex(d.mediaType) && depth < 1)) || !(await present(ctx, d))) continue;
    const doc = await readKinded(ctx, d);
    if (doc.kind === 'image') {
      if (blobName(doc.manifest.config.digest) === configName.replace(/^\.?\/+/, '')) return { desc: d, doc };
    } else {
      const found = await findByConfig(ctx, doc.index.manifests, configName, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** What an index entry says it names: undefined when its media type is empty (the document then says). */
function declaredKind(ctx: SourceContext, d: Descriptor): 'image' | 'index' | undefined {
  if (types.isImage(d.mediaType)) return 'image';
  if (types.isIndex(d.mediaType)) return 'index';
  if (d.mediaType === '') return undefined;
  throw new UnexpectedMediaTypeError(`${d.digest} in ${ctx.source.description} has media type ${JSON.stringify(d.mediaType)}, which is neither an image nor an index`);
}

/** A manifest or index document as read and parsed, with which of the two it is. */
type KindedDocument =
  | { readonly kind: 'image'; readonly raw: Buffer; readonly manifest: Manifest }
  | { readonly kind: 'index'; readonly raw: Buffer; readonly index: IndexManifest };

/** What a document with no declared media type is, from its own fields. */
function kindOfValue(ctx: SourceContext, d: Descriptor, value: unknown): 'image' | 'index' {
  if (typeof value === 'object' && value !== null) {
    if ('manifests' in value) return 'index';
    if ('config' in value) return 'image';
  }
  throw new UnexpectedMediaTypeError(`${d.digest} in ${ctx.source.description} has media type "", and its document is neither an image nor an index`);
}

/**
 * Reads the document `d` names (verified), tells what it is (from the descriptor, else from the
 * document's own fields) and parses it, naming the document and the archive when it is malformed
 * as the layout module names its documents. One read and one parse either way, so an opener
 * archive is not re-read for it.
 */
async function readKinded(ctx: SourceContext, d: Descriptor): Promise<KindedDocument> {
  const declared = declaredKind(ctx, d);
  const raw = await readDocument(ctx, d, declared ?? 'manifest');
  const value = parseJSON(raw, `${declared ?? 'manifest'} ${whereIs(ctx, d.digest)}`);
  const kind = declared ?? kindOfValue(ctx, d, value);
  try {
    // Checked to be an object first: a JSON string handed on would be parsed as JSON text again.
    const o = expectObject(value, '');
    return kind === 'index' ? { kind, raw, index: parseIndexManifest(o) } : { kind, raw, manifest: parseManifest(o) };
  } catch (err) {
    return inFile(err, `${kind === 'index' ? 'index' : 'manifest'} ${whereIs(ctx, d.digest)}`);
  }
}

/** Follows `desc` down to one image: itself, or the child of an index the options pick. */
async function resolveImage(ctx: SourceContext, desc: Descriptor, options: OciSelectOptions, depth: number): Promise<Image> {
  // The image outlives this call: its reads are not tied to the signal of the choosing.
  if (declaredKind(ctx, desc) === 'image') return sourceImage(archiveContext(ctx.source), desc);
  const doc = await readKinded(ctx, desc);
  if (doc.kind === 'image') return sourceImage(archiveContext(ctx.source), desc, doc);
  if (depth >= MAX_DEPTH) throw new BadDocumentError(`${ctx.source.description}: indexes nested more than ${MAX_DEPTH} deep at ${desc.digest}`);
  const child = await pickChild(ctx, desc, doc.index.manifests, options.platform);
  return resolveImage(ctx, child, options, depth + 1);
}

async function present(ctx: SourceContext, d: Descriptor): Promise<boolean> {
  return (await ctx.source.stat(blobName(d.digest))) !== undefined;
}

/**
 * The child of index `parent` meant: the one matching `platform` whose blob is here, or, with no
 * platform, the only image (attestations aside) whose blob is here. `ctr images export` without
 * `--all-platforms` keeps the whole index but only one platform's blobs.
 */
async function pickChild(ctx: SourceContext, parent: Descriptor, children: readonly Descriptor[], platform: Platform | undefined): Promise<Descriptor> {
  const where = `index ${parent.digest} in ${ctx.source.description}`;
  const usable = children.filter((c) => !isAttestation(c));
  const listing = usable.map(describeEntry).join('; ') || 'nothing';
  if (platform) {
    const matching = usable.filter((c) => c.platform !== undefined && Platform.satisfies(c.platform, platform));
    for (const c of matching) if (await present(ctx, c)) return c;
    if (matching.length > 0) {
      throw new NotFoundError(`${where} lists ${matching.map(describeEntry).join('; ')} for ${Platform.toString(platform)}, but the archive does not hold it (exported for other platforms only?)`);
    }
    throw new NotFoundError(`${where} has no image for platform ${Platform.toString(platform)}; it lists ${listing}`);
  }
  const here: Descriptor[] = [];
  for (const c of usable) if (await present(ctx, c)) here.push(c);
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
 * `--all-platforms`), which are read as one image instead. Gives the entry and the index's bytes
 * as read and verified while checking, and as parsed, so the caller's view need not read or
 * parse them again.
 */
export async function soleCompleteIndex(
  source: FileSource,
  index: IndexManifest,
  signal?: AbortSignal,
): Promise<{ readonly desc: Descriptor; readonly raw: Buffer; readonly index: IndexManifest } | undefined> {
  const distinct = new Map(index.manifests.map((d) => [d.digest.toString(), d]));
  if (distinct.size !== 1) return undefined;
  const only = [...distinct.values()][0]!;
  const ctx = archiveContext(source, signal);
  if (!(await present(ctx, only)) || declaredKind(ctx, only) === 'image') return undefined;
  const doc = await readKinded(ctx, only);
  if (doc.kind !== 'index') return undefined;
  return (await complete(ctx, only, doc, 0)) ? { desc: only, raw: doc.raw, index: doc.index } : undefined;
}

/** True when the archive holds everything `doc` (the document `desc` names, read) names, through nested indexes. */
async function complete(ctx: SourceContext, desc: Descriptor, doc: KindedDocument, depth: number): Promise<boolean> {
  if (doc.kind === 'index') {
    if (depth >= MAX_DEPTH) throw new BadDocumentError(`${ctx.source.description}: indexes nested more than ${MAX_DEPTH} deep at ${desc.digest}`);
    for (const child of doc.index.manifests) {
      if (!(await present(ctx, child)) || !(await complete(ctx, child, await readKinded(ctx, child), depth + 1))) return false;
    }
    return true;
  }
  const m = doc.manifest;
  if (!(await present(ctx, m.config))) return false;
  for (const l of m.layers) if (types.isDistributable(l.mediaType) && !(await present(ctx, l))) return false;
  return true;
}
