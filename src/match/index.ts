/**
 * @module Descriptor predicates for picking children of an index or entries of a layout
 * (ggcr's `pkg/v1/match`).
 */
import type { Descriptor } from '../v1/descriptor.ts';
import type { Hash } from '../v1/hash.ts';
import { Platform } from '../v1/platform.ts';

/** A predicate over descriptors. */
export type Matcher = (d: Descriptor) => boolean;

/** The annotation OCI layouts use to name an entry. */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** Matches descriptors whose `org.opencontainers.image.ref.name` annotation is `name`. */
export function name(refName: string): Matcher {
  return annotation(REF_NAME_ANNOTATION, refName);
}

/** Matches descriptors with annotation `key` equal to `value`. */
export function annotation(key: string, value: string): Matcher {
  return (d) => d.annotations?.[key] === value;
}

/**
 * Matches descriptors whose platform equals one of `platforms` exactly (`Platform.equals`);
 * descriptors without a platform never match.
 */
export function platforms(...wanted: Platform[]): Matcher {
  return (d) => d.platform !== undefined && wanted.some((p) => Platform.equals(d.platform!, p));
}

/** Matches descriptors with one of the media types. */
export function mediaTypes(...mts: string[]): Matcher {
  const set = new Set(mts);
  return (d) => set.has(d.mediaType);
}

/** Matches descriptors with one of the digests. */
export function digests(...hs: Hash[]): Matcher {
  const set = new Set(hs.map(String));
  return (d) => set.has(d.digest.toString());
}

/** Matches when every matcher matches. */
export function all(...ms: Matcher[]): Matcher {
  return (d) => ms.every((m) => m(d));
}

/** Matches when any matcher matches. */
export function any(...ms: Matcher[]): Matcher {
  return (d) => ms.some((m) => m(d));
}
