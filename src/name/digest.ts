/**
 * @module `Digest`: a repository plus a content digest (`gcr.io/project/image@sha256:…`),
 * the reference form that always names the same bytes.
 */
import { BadNameError } from '../errors/index.ts';
import { Hash } from '../v1/hash.ts';
import { checkDigest, checkTag, rejectUrlScheme, requireString } from './check.ts';
import { resolveOptions, type NameOptions } from './options.ts';
import { repositoryFrom, type Repository } from './repository.ts';
import { InRepository } from './in-repository.ts';
import { splitTag } from './tag.ts';

/** An immutable digest reference. */
export class Digest extends InRepository {
  /** Tells a `Digest` from a `Tag` in a `Reference`. */
  readonly kind = 'digest';

  /**
   * Builds a digest reference without validating it; use `Digest.parse` (or `newDigest`) for
   * text from outside. `original` is what `toString()` returns; it defaults to the full name.
   */
  constructor(repository: Repository, digest: string, original?: string) {
    super(repository, digest, '@', original);
    Object.freeze(this);
  }

  /**
   * Parses `[registry/]path[:tag]@algorithm:hex`. Throws `BadNameError`.
   *
   * @example
   * Digest.parse(`gcr.io/p/img@sha256:${'a'.repeat(64)}`).repositoryStr(); // 'p/img'
   */
  static parse(name: string, options?: NameOptions): Digest {
    return newDigest(name, options);
  }

  /** The digest, `algorithm:hex` (ggcr's `DigestStr`). */
  digestStr(): string {
    return this.identifier();
  }

  /**
   * The digest as a `Hash`. Parsed names always have one; a digest built with
   * `repository.digest(id)` from a bad id throws `BadHashError` here.
   */
  hash(): Hash {
    return Hash.parse(this.identifier());
  }
}

/**
 * Parses `[registry/]path[:tag]@algorithm:hex` (ggcr's `NewDigest`). A tag before the `@` must
 * be valid but is discarded: the digest alone says what to fetch. Throws `BadNameError`.
 *
 * @example
 * newDigest(`ubuntu:22.04@sha256:${'a'.repeat(64)}`).name();
 * // 'index.docker.io/library/ubuntu@sha256:aaa…'
 */
export function newDigest(name: string, options?: NameOptions): Digest {
  requireString(name, 'digest reference');
  rejectUrlScheme(name);
  const at = name.indexOf('@');
  if (at < 0) {
    throw new BadNameError(`reference ${JSON.stringify(name)}: has no digest; want repository@algorithm:hex`);
  }
  if (name.indexOf('@', at + 1) >= 0) {
    throw new BadNameError(`reference ${JSON.stringify(name)}: must contain exactly one "@" (repository@algorithm:hex)`);
  }
  const opts = resolveOptions(options);
  const digest = checkDigest(name.slice(at + 1), name);
  const { base, tag } = splitTag(name.slice(0, at));
  if (tag !== undefined) checkTag(tag, name);
  const repository = repositoryFrom(base, name, opts);
  return new Digest(repository, digest.toString(), name);
}
