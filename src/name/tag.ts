/**
 * @module `Tag`: a repository plus a tag (`gcr.io/project/image:v1`), with the default tag
 * filled in when none is written.
 */
import { BadNameError } from '../errors/index.ts';
import { badName, checkTag, rejectUrlScheme, requireString } from './check.ts';
import { resolveOptions, type NameOptions } from './options.ts';
import { repositoryFrom, type Repository } from './repository.ts';
import { InRepository } from './in-repository.ts';

/** An immutable tag reference. */
export class Tag extends InRepository {
  /** Tells a `Tag` from a `Digest` in a `Reference`. */
  readonly kind = 'tag';

  /**
   * Builds a tag without validating it; use `Tag.parse` (or `newTag`) for text from outside.
   * `original` is what `toString()` returns; it defaults to the fully qualified name.
   */
  constructor(repository: Repository, tag: string, original?: string) {
    super(repository, tag, ':', original);
    Object.freeze(this);
  }

  /**
   * Parses `[registry/]path[:tag]`. Throws `BadNameError`.
   *
   * @example
   * Tag.parse('ubuntu').name(); // 'index.docker.io/library/ubuntu:latest'
   */
  static parse(name: string, options?: NameOptions): Tag {
    return newTag(name, options);
  }

  /** The tag, with the default filled in when none was written (ggcr's `TagStr`). */
  tagStr(): string {
    return this.identifier();
  }
}

/**
 * Parses `[registry/]path[:tag]` (ggcr's `NewTag`). A missing tag means `options.defaultTag`
 * unless `strict` is set. Throws `BadNameError`.
 *
 * @example
 * newTag('localhost:5000/app').tagStr(); // 'latest'
 */
export function newTag(name: string, options?: NameOptions): Tag {
  requireString(name, 'tag reference');
  rejectUrlScheme(name);
  if (name.includes('@')) {
    // Without this the digest's algorithm would be reported as a bad repository character.
    throw new BadNameError(
      `reference ${JSON.stringify(name)}: has a digest ("@"); parse it with newDigest or parseReference`,
    );
  }
  const opts = resolveOptions(options);
  const { base, tag } = splitTag(name);
  if (tag === undefined) {
    if (opts.strict) throw badName('tag', '', name, 'strict validation requires an explicit tag');
  } else {
    checkTag(tag, name);
  }
  const repository = repositoryFrom(base, name, opts);
  return new Tag(repository, tag ?? opts.defaultTag, name);
}

/**
 * Splits `base:tag` on the last `:`, unless what follows contains `/`: then the `:` belongs to
 * a registry port (`localhost:5000/app`) and there is no tag. `tag` is `''` for `app:`.
 */
export function splitTag(name: string): { base: string; tag: string | undefined } {
  const colon = name.lastIndexOf(':');
  if (colon < 0 || name.includes('/', colon)) return { base: name, tag: undefined };
  return { base: name.slice(0, colon), tag: name.slice(colon + 1) };
}
