/**
 * @module Tags in a legacy archive: the `RepoTags` strings of `manifest.json` and the
 * `repositories` file, which maps each repository to its tags and each tag to the ID of the
 * image's top v1 layer (moby image/spec/v1.md).
 */

export { repoTag } from '../tarball/manifest.ts';

/**
 * Splits a `RepoTags` string into repository and tag at the last `:` (ggcr's `splitTag`): a `:`
 * followed by a `/` belongs to a registry port, and then there is no tag.
 */
export function splitRepoTag(s: string): { repository: string; tag: string } {
  const colon = s.lastIndexOf(':');
  if (colon < 0 || s.includes('/', colon)) return { repository: s, tag: '' };
  return { repository: s.slice(0, colon), tag: s.slice(colon + 1) };
}

/** The `repositories` document: repository → tag → top layer ID. */
export type Repositories = Map<string, Map<string, string>>;

/** Records every tag of an image as pointing at its top layer. */
export function addTags(repos: Repositories, tags: readonly string[], topLayerID: string): void {
  for (const t of tags) {
    const { repository, tag } = splitRepoTag(t);
    let byTag = repos.get(repository);
    if (!byTag) repos.set(repository, (byTag = new Map()));
    byTag.set(tag, topLayerID);
  }
}
