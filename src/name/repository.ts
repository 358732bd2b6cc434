/**
 * @module `Repository`: a registry plus a repository path, with Docker Hub's implicit
 * `library/` namespace for single-component names.
 */
import { badName, checkRepository, rejectUrlScheme, requireString } from './check.ts';
import { Digest } from './digest.ts';
import { DEFAULT_REGISTRY, DEFAULT_TAG, resolveOptions, type NameOptions, type ResolvedNameOptions } from './options.ts';
import { registryFrom, type Registry } from './registry.ts';
import type { Scheme } from './scheme.ts';
import { Tag } from './tag.ts';

/** Docker Hub's namespace for official images: `ubuntu` is `library/ubuntu`. */
const DOCKER_HUB_NAMESPACE = 'library';

/** An immutable repository name such as `gcr.io/project/image` or `index.docker.io/library/ubuntu`. */
export class Repository {
  readonly registry: Registry;
  /** The path as written; `repositoryStr()` adds Docker Hub's implicit namespace. */
  readonly #path: string;

  /**
   * Builds a repository without validating the path; use `Repository.parse` (or
   * `newRepository`) for text from outside.
   */
  constructor(registry: Registry, path: string) {
    this.registry = registry;
    this.#path = path;
    Object.freeze(this);
  }

  /**
   * Parses `[registry/]path`. Throws `BadNameError`.
   *
   * @example
   * Repository.parse('ubuntu').name(); // 'index.docker.io/library/ubuntu'
   */
  static parse(name: string, options?: NameOptions): Repository {
    return newRepository(name, options);
  }

  /** True when the path relies on Docker Hub's implicit `library/` namespace. */
  hasImplicitNamespace(): boolean {
    return hasImplicitNamespace(this.registry, this.#path);
  }

  /** The registry host[:port] (ggcr's `RegistryStr`). */
  registryStr(): string {
    return this.registry.registryStr();
  }

  /** The repository path, with `library/` added for single-component Docker Hub names. */
  repositoryStr(): string {
    return this.hasImplicitNamespace() ? `${DOCKER_HUB_NAMESPACE}/${this.#path}` : this.#path;
  }

  /** The fully qualified name, `registry/path`. */
  name(): string {
    return `${this.registry.name()}/${this.repositoryStr()}`;
  }

  toString(): string {
    return this.name();
  }

  /** Serialised as its string form, as ggcr marshals names. */
  toJSON(): string {
    return this.name();
  }

  /**
   * The token scope for `action` (`pull`, `push`, `pull,push`, `*`…) on this repository.
   *
   * @example
   * Repository.parse('ubuntu').scope('pull'); // 'repository:library/ubuntu:pull'
   */
  scope(action: string): string {
    return `repository:${this.repositoryStr()}:${action}`;
  }

  /** The registry's scheme, `http` or `https`. */
  scheme(): Scheme {
    return this.registry.scheme();
  }

  /**
   * A tag in this repository, not validated (ggcr's `Repository.Tag`). An empty identifier
   * means `latest`. Its string form is the fully qualified name.
   */
  tag(identifier: string): Tag {
    return new Tag(this, identifier === '' ? DEFAULT_TAG : identifier);
  }

  /** A digest in this repository, not validated (ggcr's `Repository.Digest`). */
  digest(identifier: string): Digest {
    return new Digest(this, identifier);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Repository(${this.name()})`;
  }
}

/**
 * Parses `[registry/]path` (ggcr's `NewRepository`). The first path component is the registry
 * only if it contains `.` or `:` or is `localhost`; otherwise the whole name is a Docker Hub
 * path. Strict validation requires the registry and the `library/` namespace to be written
 * out. Throws `BadNameError`.
 *
 * @example
 * newRepository('localhost:5000/app').registryStr(); // 'localhost:5000'
 */
export function newRepository(name: string, options?: NameOptions): Repository {
  requireString(name, 'repository name');
  rejectUrlScheme(name);
  return repositoryFrom(name, name, resolveOptions(options));
}

/** Validates a repository found inside `input` (a tag or digest reference, or itself). */
export function repositoryFrom(name: string, input: string, opts: ResolvedNameOptions): Repository {
  if (name === '') throw badName('repository', name, input, 'must not be empty');
  const { registry: registryPart, path } = splitRegistry(name);
  checkRepository(path, input);
  const registry = registryFrom(registryPart, input, opts.strict, opts.insecure, opts.defaultRegistry);
  const repository = new Repository(registry, path);
  if (repository.hasImplicitNamespace()) {
    if (opts.strict) {
      throw badName(
        'repository',
        path,
        input,
        `strict validation requires the full path on ${DEFAULT_REGISTRY} (${JSON.stringify(repository.repositoryStr())})`,
      );
    }
    // The namespace makes the path longer; the limit applies to what is sent to the registry.
    checkRepository(repository.repositoryStr(), input);
  }
  return repository;
}

/** Splits off the registry: the first component, if it looks like a host. */
function splitRegistry(name: string): { registry: string; path: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { registry: '', path: name };
  const first = name.slice(0, slash);
  if (first.includes('.') || first.includes(':') || first === 'localhost') {
    return { registry: first, path: name.slice(slash + 1) };
  }
  return { registry: '', path: name };
}

function hasImplicitNamespace(registry: Registry, path: string): boolean {
  return !path.includes('/') && registry.registryStr() === DEFAULT_REGISTRY;
}
