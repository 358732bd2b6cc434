/**
 * @module What `Tag` and `Digest` share: a repository plus an identifier (ggcr embeds
 * `Repository` in both). Each adds only its own identifier accessor and parser.
 */
import type { Registry } from './registry.ts';
import type { Repository } from './repository.ts';
import type { Scheme } from './scheme.ts';

/** A name inside a repository: `repository` + `separator` + `identifier`. */
export abstract class InRepository {
  readonly repository: Repository;
  readonly #id: string;
  readonly #separator: string;
  readonly #original: string;

  protected constructor(repository: Repository, id: string, separator: ':' | '@', original?: string) {
    this.repository = repository;
    this.#id = id;
    this.#separator = separator;
    this.#original = original ?? `${repository.name()}${separator}${id}`;
  }

  /** The repository's registry. */
  get registry(): Registry {
    return this.repository.registry;
  }

  /** The repository this name is in (ggcr's `Context`). */
  context(): Repository {
    return this.repository;
  }

  /** The tag or digest (ggcr's `Identifier`). */
  identifier(): string {
    return this.#id;
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

  /** The fully qualified name, `registry/path:tag` or `registry/path@digest`. */
  name(): string {
    return `${this.repository.name()}${this.#separator}${this.#id}`;
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
    return `${this.constructor.name}(${this.name()})`;
  }
}
