/**
 * @module `Registry`: the host[:port] part of an image name, with Docker Hub defaulting and the
 * scheme (http or https) used to reach it.
 */
import { posix } from 'node:path';
import { badName, checkRegistry, requireString } from './check.ts';
import { DEFAULT_REGISTRY, DOCKER_HUB_ALIAS, resolveOptions, type NameOptions } from './options.ts';
import { Repository } from './repository.ts';
import { registryScheme, type Scheme } from './scheme.ts';

/** An immutable registry name such as `gcr.io`, `localhost:5000` or `index.docker.io`. */
export class Registry {
  /** The registry exactly as it is addressed, after defaulting (`index.docker.io`, not `docker.io`). */
  readonly #name: string;
  /** True when the registry must be spoken to over plain HTTP whatever its address. */
  readonly insecure: boolean;

  /**
   * Builds a registry without validating it; use `Registry.parse` (or `newRegistry`) for text
   * from outside.
   */
  constructor(name: string, options: { insecure?: boolean } = {}) {
    this.#name = name;
    this.insecure = options.insecure ?? false;
    Object.freeze(this);
  }

  /**
   * Parses a registry name; the empty string means the default registry (`index.docker.io`)
   * unless `strict` is set. Throws `BadNameError`.
   *
   * @example
   * Registry.parse('docker.io').name(); // 'index.docker.io'
   */
  static parse(name: string, options?: NameOptions): Registry {
    return newRegistry(name, options);
  }

  /** The registry host[:port] (ggcr's `RegistryStr`). */
  registryStr(): string {
    return this.#name;
  }

  /** The registry host[:port]; for a registry the name and the string form agree. */
  name(): string {
    return this.#name;
  }

  toString(): string {
    return this.#name;
  }

  /** Serialised as its string form, as ggcr marshals names. */
  toJSON(): string {
    return this.#name;
  }

  /**
   * The token scope for registry-wide calls. The only registry resource is the catalog, so the
   * action is ignored (distribution's token scope docs).
   */
  scope(_action?: string): string {
    return 'registry:catalog:*';
  }

  /** `http` or `https`; see `registryScheme` for which registries get plain HTTP. */
  scheme(): Scheme {
    return registryScheme(this.#name, this.insecure);
  }

  /**
   * A repository in this registry, its path the parts joined with `/`. Not validated, like
   * ggcr's `Registry.Repo`: for building names from parts already known to be good.
   *
   * @example
   * Registry.parse('gcr.io').repo('project', 'image').name(); // 'gcr.io/project/image'
   */
  repo(...parts: string[]): Repository {
    const nonEmpty = parts.filter((p) => p !== '');
    // Go's path.Join cleans the result; posix.join does too, except that it keeps a trailing slash.
    const path = nonEmpty.length === 0 ? '' : posix.join(...nonEmpty).replace(/(.)\/+$/, '$1');
    return new Repository(this, path);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Registry(${this.#name})`;
  }
}

/**
 * Parses a registry name (ggcr's `NewRegistry`). Strict validation requires it to be given;
 * otherwise the empty string means `options.defaultRegistry`. `docker.io` becomes
 * `index.docker.io`. Throws `BadNameError`.
 *
 * @example
 * newRegistry('localhost:5000').scheme(); // 'http'
 */
export function newRegistry(name: string, options?: NameOptions): Registry {
  requireString(name, 'registry name');
  const opts = resolveOptions(options);
  return registryFrom(name, name, opts.strict, opts.insecure, opts.defaultRegistry);
}

/**
 * A registry reached over plain HTTP (ggcr's `NewInsecureRegistry`, deprecated there in favour
 * of the `insecure` option, which `newRegistry` takes too).
 */
export function newInsecureRegistry(name: string, options?: NameOptions): Registry {
  return newRegistry(name, { ...options, insecure: true });
}

/** Validates and defaults a registry found inside `input` (shared with repository parsing). */
export function registryFrom(
  name: string,
  input: string,
  strict: boolean,
  insecure: boolean,
  defaultRegistry: string,
): Registry {
  if (name === '') {
    if (strict) {
      throw badName('registry', name, input, `strict validation requires an explicit registry (e.g. ${DEFAULT_REGISTRY}/…)`);
    }
    return new Registry(defaultRegistry, { insecure });
  }
  checkRegistry(name, input);
  return new Registry(name === DOCKER_HUB_ALIAS ? DEFAULT_REGISTRY : name, { insecure });
}
