/**
 * @module Walking an index: find descriptors, images and indexes by matcher, recursing into
 * nested indexes (ggcr's `partial.FindManifests/FindImages/FindIndexes`).
 */
import * as types from '../types/index.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Image, ImageIndex } from '../v1/interfaces.ts';
import type { Matcher } from '../match/index.ts';

/** Descriptors of the index's direct children that match. */
export async function findManifests(idx: ImageIndex, matcher: Matcher): Promise<Descriptor[]> {
  return (await idx.indexManifest()).manifests.filter(matcher);
}

/** Images anywhere under the index (nested indexes included, depth first) whose descriptor matches. */
export async function findImages(idx: ImageIndex, matcher: Matcher): Promise<Image[]> {
  const out: Image[] = [];
  for (const d of (await idx.indexManifest()).manifests) {
    if (types.isImage(d.mediaType)) {
      if (matcher(d)) out.push(await idx.image(d.digest));
    } else if (types.isIndex(d.mediaType)) {
      out.push(...(await findImages(await idx.imageIndex(d.digest), matcher)));
    }
  }
  return out;
}

/** Indexes anywhere under the index whose descriptor matches. */
export async function findIndexes(idx: ImageIndex, matcher: Matcher): Promise<ImageIndex[]> {
  const out: ImageIndex[] = [];
  for (const d of (await idx.indexManifest()).manifests) {
    if (!types.isIndex(d.mediaType)) continue;
    const child = await idx.imageIndex(d.digest);
    if (matcher(d)) out.push(child);
    out.push(...(await findIndexes(child, matcher)));
  }
  return out;
}
