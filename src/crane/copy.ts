/**
 * @module `crane copy`: registry to registry, digests kept (ggcr `crane.Copy` / `CopyRepository`).
 * Beyond ggcr: several platforms out of an index (a new, smaller index), and the referrers
 * (signatures, SBOMs, attestations) of what is copied.
 */
import { OciError } from '../errors/index.ts';
import { parseReference, Repository, type Reference } from '../name/index.ts';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Image, ImageIndex } from '../v1/interfaces.ts';
import { parseIndexManifest, type IndexManifest } from '../v1/manifest.ts';
import { marshalIndexManifest } from '../internal/gojson/index.ts';
import { mapLimit } from '../internal/limiter/index.ts';
import * as remote from '../remote/index.ts';
import { platformMatches } from '../remote/platform.ts';
import { remoteOptions, type CraneOptions } from './options.ts';

export interface CopyOptions extends CraneOptions {
  /** Copy every tag of the source repository to the destination repository. */
  readonly allTags?: boolean;
  /** Leave a destination tag that already exists alone. */
  readonly noClobber?: boolean;
  /** Also copy the manifests that refer to what is copied (OCI referrers), recursively. */
  readonly referrers?: boolean;
}

/** A tag exists at the destination and `noClobber` forbids overwriting it. */
export class ClobberError extends OciError {
  override readonly code = 'ERR_CLOBBER';
}

/** An index view over new bytes whose children come from `source`. */
function derivedIndex(raw: Buffer, source: ImageIndex): ImageIndex {
  const im = parseIndexManifest(raw);
  return {
    mediaType: async () => im.mediaType ?? types.OCIImageIndex,
    digest: async () => Hash.of(raw),
    size: async () => raw.length,
    rawManifest: async () => raw,
    indexManifest: async () => im,
    image: (h) => source.image(h),
    imageIndex: (h) => source.imageIndex(h),
  };
}

async function copyOne(src: Reference, dst: Reference, o: CopyOptions): Promise<Hash> {
  if (o.noClobber && dst.kind === 'tag') {
    const there = await remote.head(dst, o).then(
      () => true,
      () => false,
    );
    if (there) throw new ClobberError(`refusing to clobber existing tag ${dst.toString()}`);
  }
  o.log?.(`Copying from ${src.toString()} to ${dst.toString()}`);
  const platforms = o.platforms ?? (o.platform ? [o.platform] : []);
  // With one platform, `desc.image()` resolves that child from the index fetched here.
  const desc = await remote.get(src, platforms.length === 1 ? { ...o, platform: platforms[0]! } : o);
  const target = dst.kind === 'tag' ? dst : dst.context().digest(desc.descriptor.digest.toString());
  let written: Hash;
  if (types.isIndex(desc.mediaType)) {
    const idx = await desc.imageIndex();
    if (platforms.length === 1) {
      const img = await desc.image();
      await remote.write(dst.kind === 'tag' ? dst : dst.context().digest((await img.digest()).toString()), img, o);
      written = await img.digest();
    } else if (platforms.length > 1) {
      const im = await idx.indexManifest();
      const kept = im.manifests.filter((d) => platforms.some((p) => platformMatches(d.platform, p)));
      if (kept.length === 0) throw new OciError(`no child of ${src.toString()} matches the platforms asked for`);
      const raw = marshalIndexManifest({ ...im, manifests: kept } as IndexManifest);
      const view = derivedIndex(raw, idx);
      await remote.writeIndex(dst.kind === 'tag' ? dst : dst.context().digest(Hash.of(raw).toString()), view, o);
      written = Hash.of(raw);
    } else {
      await remote.writeIndex(target, idx, o);
      written = desc.descriptor.digest;
    }
  } else if (types.isImage(desc.mediaType)) {
    const img: Image = await desc.image();
    await remote.write(target, img, o);
    written = desc.descriptor.digest;
  } else if (types.isSchema1(desc.mediaType)) {
    // Schema 1 is never rewritten (its digest covers the bytes): its blobs first, then the same bytes.
    const s1 = await desc.schema1();
    const pusher = new remote.Pusher(o);
    await mapLimit(await s1.layers(), o.jobs ?? 4, (l) => pusher.upload(dst.context(), l), o.signal ? { signal: o.signal } : {});
    await pusher.put(target, { raw: desc.manifest, mediaType: desc.mediaType });
    written = desc.descriptor.digest;
  } else {
    // Artifacts of other types are copied as they are.
    await remote.put(target, { raw: desc.manifest, mediaType: desc.mediaType }, o);
    written = desc.descriptor.digest;
  }
  if (o.referrers) await copyReferrers(src.context(), dst.context(), written, o, 0);
  return written;
}

async function copyReferrers(from: Repository, to: Repository, subject: Hash, o: CopyOptions, depth: number): Promise<void> {
  if (depth > 8) return; // referrers of referrers…, bounded against cycles
  const refs = await remote.referrers(from.digest(subject.toString()), o);
  for (const r of refs) {
    await copyOne(from.digest(r.digest.toString()), to.digest(r.digest.toString()), { ...o, referrers: false, platforms: [], noClobber: false });
    await copyReferrers(from, to, r.digest, o, depth + 1);
  }
}

/**
 * Copies what `src` names to `dst`, keeping digests (crane `copy`/`cp`). With `allTags`, `src`
 * and `dst` are repositories and every tag is copied, `jobs` at a time.
 *
 * @example
 * await crane.copy('gcr.io/a/app:v1', '127.0.0.1:5000/app:v1', { referrers: true });
 */
export async function copy(src: string, dst: string, options: CopyOptions = {}): Promise<void> {
  const o: CopyOptions = { ...options, ...(await remoteOptions(options)) };
  if (o.allTags) {
    const from = Repository.parse(src);
    const to = Repository.parse(dst);
    const tags = await remote.list(from, o);
    await mapLimit(tags, o.jobs ?? 4, (t) => copyOne(from.tag(t), to.tag(t), o), o.signal ? { signal: o.signal } : {});
    return;
  }
  await copyOne(parseReference(src), parseReference(dst), o);
}
