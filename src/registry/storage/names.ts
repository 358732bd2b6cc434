/**
 * @module The checks every storage method runs on what it is given before using it as a key or
 * a path: repository names, tags, upload ids, digests, references and byte ranges. The HTTP layer
 * validates first; these are the storage's own guard, so no name can reach outside its root.
 */
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';
import type { ByteRange } from './types.ts';

// distribution-spec "Pulling manifests": the name grammar. A component never starts with `.` or
// `_`, so `..` and our `_manifests`-style directories cannot be named.
/** The distribution-spec repository name grammar (shared with the HTTP layer). */
export const repositoryPattern = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
export const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const uploadIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const hexPatterns: Record<string, RegExp> = { sha256: /^[0-9a-f]{64}$/, sha512: /^[0-9a-f]{128}$/ };

/**
 * Longest repository name accepted: 255, distribution's limit for the whole name (it counts the
 * registry host too; ours is stricter than needed, never looser).
 */
export const MAX_REPOSITORY_LENGTH = 255;

/** Throws `InvalidArgumentError` unless `name` is a distribution-spec repository name. */
export function checkRepository(name: string): string {
  if (typeof name !== 'string' || name.length > MAX_REPOSITORY_LENGTH || !repositoryPattern.test(name)) {
    throw new InvalidArgumentError(`invalid repository name ${JSON.stringify(name)}`);
  }
  return name;
}

/** True for a distribution-spec tag (used to skip foreign files when listing). */
export function isTag(name: string): boolean {
  return tagPattern.test(name);
}

/** True for an id of the shape `newUploadId` makes. */
export function isUploadId(name: string): boolean {
  return uploadIdPattern.test(name);
}

/** Throws `InvalidArgumentError` unless `tag` is a distribution-spec tag. */
export function checkTag(tag: string): string {
  if (typeof tag !== 'string' || !tagPattern.test(tag)) {
    throw new InvalidArgumentError(`invalid tag ${JSON.stringify(tag)}`);
  }
  return tag;
}

/** Throws `InvalidArgumentError` unless `id` has the shape of the ids `newUploadId` makes. */
export function checkUploadId(id: string): string {
  if (typeof id !== 'string' || !uploadIdPattern.test(id)) {
    throw new InvalidArgumentError(`invalid upload id ${JSON.stringify(id)}`);
  }
  return id;
}

/** A fresh upload id: a random UUID, as distribution hands out. */
export function newUploadId(): string {
  return randomUUID();
}

/**
 * Throws `InvalidArgumentError` unless `digest` is a well-formed `Hash`. A `Hash` validates itself
 * when built, but this value becomes a path, so it is checked again rather than trusted.
 */
export function checkDigest(digest: Hash): Hash {
  const pattern = digest instanceof Hash ? hexPatterns[digest.algorithm] : undefined;
  if (pattern === undefined || !pattern.test(digest.hex)) {
    throw new InvalidArgumentError(`invalid digest ${JSON.stringify(String(digest))}`);
  }
  return digest;
}

/** A manifest reference: a digest when it has a colon (tags cannot), else a tag. */
export function parseReference(reference: string): { tag: string } | { digest: Hash } {
  if (typeof reference === 'string' && reference.includes(':')) {
    if (!Hash.isValid(reference)) throw new InvalidArgumentError(`invalid digest reference ${JSON.stringify(reference)}`);
    return { digest: checkDigest(Hash.parse(reference)) };
  }
  return { tag: checkTag(reference) };
}

/** Throws `InvalidArgumentError` unless `range` lies within a blob of `size` bytes. */
export function checkRange(range: ByteRange, size: number, digest: Hash): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start || end >= size) {
    throw new InvalidArgumentError(`byte range ${start}-${end} is not within blob ${digest} of ${size} bytes`);
  }
}
