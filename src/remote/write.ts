/**
 * @module Writing to a registry (ggcr's `remote.Write/WriteIndex/WriteLayer/Put/Tag/Delete`):
 * blobs first (bounded by `jobs`, existing ones skipped, mounts where the source is known),
 * then manifests, children before parents. Progress covers bytes and blobs.
 */
import { Readable } from 'node:stream';
import { parseReference, type Reference, type Repository, Tag } from '../name/index.ts';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Image, ImageIndex, Layer } from '../v1/interfaces.ts';
import { mapLimit } from '../internal/limiter/index.ts';
import type { Transport } from './transport/index.ts';
import { transportFor, headManifest, progressFor, sharedProgress, ACCEPT_ALL, type CachingOptions } from './fetcher.ts';
import { uploadBlob, type UploadOutcome } from './upload.ts';
import { DEFAULT_JOBS, type RemoteOptions } from './options.ts';
import type { TransferProgress } from '../internal/progress/index.ts';

function toRef(ref: Reference | string): Reference {
  return typeof ref === 'string' ? parseReference(ref) : ref;
}

export interface Session {
  readonly t: Transport;
  readonly repo: Repository;
  readonly options: RemoteOptions;
  readonly progress: TransferProgress;
  /** Blobs already handled in this write (an index shares layers between children). */
  readonly seen: Map<string, Promise<UploadOutcome>>;
}

export async function session(ref: Reference, options: CachingOptions): Promise<Session> {
  const t = await transportFor(ref.context(), 'push,pull', options);
  return { t, repo: ref.context(), options, progress: progressFor(options), seen: new Map() };
}

/** A layer's source repository when it came from the same registry (for a mount). */
function mountSource(l: Layer): Repository | undefined {
  return (l as { mountFrom?: Repository }).mountFrom;
}

export async function pushLayer(s: Session, l: Layer): Promise<UploadOutcome> {
  const [digest, size, mediaType] = await Promise.all([l.digest(), l.size(), l.mediaType()]);
  const key = digest.toString();
  const known = s.seen.get(key);
  if (known) return known;
  const p = (async () => {
    // Foreign and non-distributable layers stay where their urls say unless asked (ggcr).
    if (!types.isDistributable(mediaType) && !s.options.allowNondistributableArtifacts) return 'existing' as const;
    const count = s.progress.blob(`${s.repo.name()}@${key}`, size);
    const blob = (complete: number) => s.options.onBlobProgress?.({ digest: key, total: size, complete });
    blob(0);
    const outcome = await uploadBlob(
      s.t,
      s.repo,
      { digest, size, open: () => l.compressed(s.options.signal ? { signal: s.options.signal } : {}), mountFrom: mountSource(l) },
      {
        signal: s.options.signal,
        onProgress: (complete) => {
          count(complete);
          blob(complete);
        },
      },
    );
    s.options.log?.(`${outcome} blob: ${digest}`);
    return outcome;
  })();
  s.seen.set(key, p);
  try {
    return await p;
  } catch (err) {
    s.seen.delete(key); // another caller may retry failed work (ggcr)
    throw err;
  }
}

export async function putManifest(s: Session, ref: string, raw: Buffer, mediaType: string): Promise<void> {
  const res = await s.t.request({
    method: 'PUT',
    url: `/v2/${s.repo.repositoryStr()}/manifests/${ref}`,
    headers: { 'Content-Type': mediaType },
    body: raw,
    expect: [200, 201, 202],
    ...(s.options.signal ? { signal: s.options.signal } : {}),
  });
  res.body.resume();
}

/** True when the registry already has exactly this manifest under `ref`. */
async function alreadyThere(s: Session, ref: string, digest: Hash): Promise<boolean> {
  try {
    return (await headManifest(s.t, s.repo, ref, ACCEPT_ALL, s.options.signal)).digest.equals(digest);
  } catch {
    return false; // 404 (or a registry that refuses HEAD): push it
  }
}

export async function writeImageIn(s: Session, img: Image, ref: string): Promise<void> {
  const [raw, mediaType, digest] = await Promise.all([img.rawManifest(), img.mediaType(), img.digest()]);
  if (ref !== digest.toString() && (await alreadyThere(s, ref, digest))) return;
  const layers = await img.layers();
  const cfg = await img.rawConfigFile();
  const cfgDigest = await img.configName();
  await mapLimit(
    [async (): Promise<unknown> => {
      const count = s.progress.blob(`${s.repo.name()}@${cfgDigest}`, cfg.length);
      return uploadBlob(s.t, s.repo, { digest: cfgDigest, size: cfg.length, open: async () => Readable.from([cfg]) }, { signal: s.options.signal, onProgress: count });
    }, ...layers.map((l) => (): Promise<unknown> => pushLayer(s, l))],
    s.options.jobs ?? DEFAULT_JOBS,
    (f) => f(),
    s.options.signal ? { signal: s.options.signal } : {},
  );
  await putManifest(s, ref, raw, mediaType);
}

export async function writeIndexIn(s: Session, idx: ImageIndex, ref: string): Promise<void> {
  const [raw, mediaType, digest, im] = await Promise.all([idx.rawManifest(), idx.mediaType(), idx.digest(), idx.indexManifest()]);
  if (ref !== digest.toString() && (await alreadyThere(s, ref, digest))) return;
  // Children one at a time, depth first, as ggcr: their layers already run `jobs` wide.
  for (const d of im.manifests) {
    if (types.isIndex(d.mediaType)) await writeIndexIn(s, await idx.imageIndex(d.digest), d.digest.toString());
    else if (types.isImage(d.mediaType)) await writeImageIn(s, await idx.image(d.digest), d.digest.toString());
  }
  await putManifest(s, ref, raw, mediaType);
}

/**
 * Pushes an image: its blobs (skipping what is there), then its manifest under `ref`
 * (ggcr `remote.Write`).
 *
 * @example
 * await remote.write('localhost:5000/app:v1', random.image(1024, 2));
 */
export async function write(ref: Reference | string, img: Image, options: RemoteOptions = {}): Promise<void> {
  const r = toRef(ref);
  await writeImageIn(await session(r, options), img, r.identifier());
}

/** Pushes an index and everything under it (ggcr `remote.WriteIndex`). */
export async function writeIndex(ref: Reference | string, idx: ImageIndex, options: RemoteOptions = {}): Promise<void> {
  const r = toRef(ref);
  await writeIndexIn(await session(r, options), idx, r.identifier());
}

/** Pushes one blob into a repository (ggcr `remote.WriteLayer`). */
export async function writeLayer(repo: Repository, l: Layer, options: RemoteOptions = {}): Promise<UploadOutcome> {
  const s = await session(repo.tag('latest'), options);
  return pushLayer(s, l);
}

/** PUTs manifest bytes as they are under `ref` (ggcr `remote.Put`): no blob is checked or pushed. */
export async function put(ref: Reference | string, manifest: { raw: Buffer; mediaType: string }, options: RemoteOptions = {}): Promise<Descriptor> {
  const r = toRef(ref);
  const s = await session(r, options);
  await putManifest(s, r.identifier(), manifest.raw, manifest.mediaType);
  return { mediaType: manifest.mediaType, size: manifest.raw.length, digest: Hash.of(manifest.raw) };
}

/** Points `tag` at the manifest `desc` names in the same repository (ggcr `remote.Tag`). */
export async function tag(tagRef: Tag | string, manifest: { raw: Buffer; mediaType: string }, options: RemoteOptions = {}): Promise<void> {
  await put(typeof tagRef === 'string' ? Tag.parse(tagRef) : tagRef, manifest, options);
}

/** Deletes the manifest `ref` names (ggcr `remote.Delete`). */
export async function del(ref: Reference | string, options: RemoteOptions = {}): Promise<void> {
  const r = toRef(ref);
  const t = await transportFor(r.context(), 'delete', options);
  const res = await t.request({
    method: 'DELETE',
    url: `/v2/${r.context().repositoryStr()}/manifests/${r.identifier()}`,
    expect: [200, 202],
    ...(options.signal ? { signal: options.signal } : {}),
  });
  res.body.resume();
}

/**
 * Writes several images and indexes (ggcr `remote.MultiWrite`): items of one repository share a
 * session (one token, blobs uploaded once), repositories go `jobs` at a time.
 *
 * @example
 * await remote.multiWrite(new Map([['reg/app:v1', img1], ['reg/app:v2', img2]]));
 */
export async function multiWrite(items: ReadonlyMap<string | Reference, Image | ImageIndex>, options: RemoteOptions = {}): Promise<void> {
  const byRepo = new Map<string, { ref: Reference; item: Image | ImageIndex }[]>();
  for (const [ref, item] of items) {
    const r = toRef(ref);
    const key = r.context().name();
    byRepo.set(key, [...(byRepo.get(key) ?? []), { ref: r, item }]);
  }
  // One overall figure for every repository written, not one per repository each from zero.
  const shared: CachingOptions = { ...options, [sharedProgress]: progressFor(options) };
  await mapLimit(
    [...byRepo.values()],
    options.jobs ?? DEFAULT_JOBS,
    async (group) => {
      const s = await session(group[0]!.ref, shared);
      for (const { ref, item } of group) {
        if ('indexManifest' in item) await writeIndexIn(s, item, ref.identifier());
        else await writeImageIn(s, item, ref.identifier());
      }
    },
    options.signal ? { signal: options.signal } : {},
  );
}
