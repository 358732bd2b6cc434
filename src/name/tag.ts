/**
 * @module `Tag`: a repository plus a tag (`gcr.io/project/image:v1`), with the default tag
 * filled in when none is written.
 */
import { BadNameError } from '../errors/index.ts';
import { badName, checkTag, rejectUrlScheme, requireString } from './check.ts';
import { resolveOptions, type NameOptions } from './options.ts';
import type { Registry } from './registry.ts';
import { repositoryFrom, type Repository } from './repository.ts';
import type { Scheme } from './scheme.ts';

/** An immutable tag reference. */
export class Tag {
  /** Tells a `Tag` from a `Digest` in a `Reference`. */
  readonly kind = 'tag';
  readonly repository: Repository;
  readonly #tag: string;
  readonly #original: string;

  /**
   * Builds a tag without validating it; use `Tag.parse` (or `newTag`) for text from outside.
   * `original` is what `toString()` returns; it defaults to the fully qualified name.
   */
  constructor(repository: Repository, tag: string, original?: string) {
    this.repository = repository;
    this.#tag = tag;
    this.#original = original ?? `${repository.name()}:${tag}`;
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

  /** The repository's registry. */
  get registry(): Registry {
    return this.repository.registry;
  }

  /** The repository this tag is in (ggcr's `Context`). */
  context(): Repository {
    return this.repository;
  }

  /** The tag (ggcr's `Identifier`). */
  identifier(): string {
    return this.#tag;
  }

  /** The tag, with the default filled in when none was written (ggcr's `TagStr`). */
  tagStr(): string {
    return this.#tag;
  }

  registryStr(): string {
    return this.repository.registryStr();
  }

  repositoryStr(): string {
    return this.repository.repositoryStr();
  }

  scheme(): Scheme {
    return this.repository.scheme();
  }

  /** The fully qualified name, `registry/path:tag`. */
  name(): string {
    return `${this.repository.name()}:${this.#tag}`;
  }

  /** The name as it was written (`ubuntu`), as ggcr's `String()`; `name()` is the full form. */
  toString(): string {
    return this.#original;
  }

  /** Serialised as its string form, as ggcr marshals names. */
  toJSON(): string {
    return this.#original;
  }

  /** The token scope for `action` on the repository. */
  scope(action: string): string {
    return this.repository.scope(action);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Tag(${this.name()})`;
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
