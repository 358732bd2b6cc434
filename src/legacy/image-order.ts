/**
 * @module Which images a legacy archive holds and in what order: references grouped by image
 * (the same object, or the same manifest digest, is written once with all its tags), images
 * ordered by config digest, tags sorted, so the same input always gives the same bytes (ggcr
 * walks a Go map, whose order is random).
 */
import type { Reference } from '../name/index.ts';
import type { Image } from '../v1/interfaces.ts';
import { repoTag } from './repo-tags.ts';

/** One image to write and its `RepoTags`; `tags` undefined (Go's nil) when named only by digest. */
export interface LegacyImage {
  readonly image: Image;
  readonly tags: readonly string[] | undefined;
}

interface Group {
  image: Image;
  tags: Set<string> | undefined;
  config: string;
  digest: string;
}

/** Groups and orders `images`; reads each image's manifest digest and config name. */
export async function orderImages(images: Iterable<readonly [Reference, Image]>): Promise<LegacyImage[]> {
  const byObject = new Map<Image, Set<string> | undefined>();
  for (const [ref, img] of images) {
    let tags = byObject.get(img);
    if (ref.kind === 'tag') {
      tags ??= new Set();
      tags.add(repoTag(ref));
    }
    byObject.set(img, tags);
  }
  const byDigest = new Map<string, Group>();
  for (const [image, tags] of byObject) {
    const digest = (await image.digest()).toString();
    const known = byDigest.get(digest);
    if (!known) {
      byDigest.set(digest, { image, tags, config: (await image.configName()).toString(), digest });
      continue;
    }
    if (tags) for (const t of tags) (known.tags ??= new Set()).add(t);
  }
  const groups = [...byDigest.values()].sort((a, b) => compare(a.config, b.config) || compare(a.digest, b.digest));
  return groups.map((g) => ({ image: g.image, tags: g.tags ? [...g.tags].sort(compare) : undefined }));
}

/** Byte order, as Go's `sort.Strings` (references are ASCII, where UTF-16 order is the same). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
