/**
 * @module `Reference`: a tag or a digest, whichever the text names, as most commands accept
 * either (`crane pull ubuntu`, `crane pull ubuntu@sha256:…`).
 */
import { requireString, rejectUrlScheme } from './check.ts';
import { newDigest, type Digest } from './digest.ts';
import type { NameOptions } from './options.ts';
import { newTag, type Tag } from './tag.ts';

/**
 * A tag or a digest. Both have `toString()` (as written), `name()` (fully qualified),
 * `context()` (the repository), `identifier()` (tag or digest) and `scope(action)`; `kind`
 * tells them apart.
 */
export type Reference = Tag | Digest;

/**
 * Parses a tag or digest reference (ggcr's `ParseReference`). A reference with both a tag and
 * a digest is a `Digest`. Throws `BadNameError` naming the part that is wrong.
 *
 * ggcr tries a tag and then a digest and reports only "could not parse reference". Choosing by
 * `@` gives the same answers (no valid tag reference contains `@`, no digest lacks one) and
 * keeps the specific error.
 *
 * @example
 * const ref = parseReference('gcr.io/project/image:v1');
 * ref.kind; // 'tag'
 * ref.context().name(); // 'gcr.io/project/image'
 */
export function parseReference(s: string, options?: NameOptions): Reference {
  requireString(s, 'reference');
  rejectUrlScheme(s);
  return s.includes('@') ? newDigest(s, options) : newTag(s, options);
}
