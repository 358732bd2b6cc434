/**
 * @module Choosing one image from a `docker save` manifest.json, as ggcr's `findDescriptor`: no
 * tag means the archive must hold exactly one image; a tag is compared with each RepoTag after
 * normalising both. Errors list what the archive does hold.
 */
import { BadDocumentError, InvalidArgumentError, NotFoundError } from '../errors/index.ts';
import type { Tag } from '../name/index.ts';
import type { TarballDescriptor, TarballManifest } from './manifest.ts';
import { sameTag } from './tag-match.ts';

/** One entry of manifest.json and its position. */
export interface SelectedEntry {
  readonly entry: TarballDescriptor;
  readonly position: number;
}

/** `[0] a:1, b:2; [1] (no tags, config x.json)`: what an archive holds, for error messages. */
export function listEntries(m: TarballManifest): string {
  return m
    .map((e, i) => `[${i}] ${e.RepoTags.length > 0 ? e.RepoTags.join(', ') : `(no tags, config ${e.Config})`}`)
    .join('; ');
}

/**
 * The entry of `m` the caller means. `where` names the archive. Throws BadDocumentError for an
 * empty manifest.json, InvalidArgumentError when several images are there and no tag was given,
 * NotFoundError when no RepoTag matches.
 */
export function selectEntry(m: TarballManifest, tag: Tag | undefined, where: string): SelectedEntry {
  if (m.length === 0) throw new BadDocumentError(`manifest.json of ${where} lists no images`);
  if (tag === undefined) {
    if (m.length === 1) return { entry: m[0]!, position: 0 };
    throw new InvalidArgumentError(`${where} holds ${m.length} images; pass a tag to choose one: ${listEntries(m)}`);
  }
  const position = m.findIndex((e) => e.RepoTags.some((t) => sameTag(t, tag)));
  if (position < 0) {
    throw new NotFoundError(`tag ${tag.toString()} (${tag.name()}) not found in ${where}; it holds ${listEntries(m)}`);
  }
  return { entry: m[position]!, position };
}
