/**
 * @module Validation of what the URL names, before any storage path is built from it: repository
 * names, tags and digests by the distribution-spec grammar.
 */
import { Hash } from '../v1/hash.ts';
import { RegistryHttpError, digestInvalid } from './http-errors.ts';

// distribution-spec v1.1 "Pulling manifests": <name> and <reference> grammars, kept in one
// place with the storage's own checks.
import { MAX_REPOSITORY_LENGTH as MAX_NAME, repositoryPattern as NAME, tagPattern as TAG } from './storage/names.ts';

/** Throws `NAME_INVALID` unless `name` is a valid repository name. */
export function checkName(name: string): string {
  if (name.length > MAX_NAME || !NAME.test(name)) {
    throw new RegistryHttpError(400, 'NAME_INVALID', `invalid repository name ${JSON.stringify(name.slice(0, 300))}: want lowercase components matching [a-z0-9]+([._-][a-z0-9]+)* separated by /`, { detail: { name } });
  }
  return name;
}

export function isTag(ref: string): boolean {
  return TAG.test(ref);
}

/** Parses a digest from the URL; throws `DIGEST_INVALID`. */
export function parseDigest(s: string): Hash {
  try {
    return Hash.parse(s);
  } catch (err) {
    throw digestInvalid(`invalid digest ${JSON.stringify(s.slice(0, 200))}: ${(err as Error).message}`);
  }
}

/** A manifest reference: a tag or a digest. Throws `TAG_INVALID` / `DIGEST_INVALID`. */
export function parseReference(ref: string): { tag: string } | { digest: Hash } {
  if (ref.includes(':')) return { digest: parseDigest(ref) };
  if (!isTag(ref)) throw new RegistryHttpError(400, 'TAG_INVALID', `invalid tag ${JSON.stringify(ref.slice(0, 200))}`);
  return { tag: ref };
}
