/**
 * @module The options every name parser takes (`strict`, `insecure`, default registry and tag)
 * and the one place their defaults are decided.
 */
import { checkRegistry, checkTag } from './check.ts';

/** Docker Hub's registry host, used when a name has none (ggcr's `name.DefaultRegistry`). */
export const DEFAULT_REGISTRY = 'index.docker.io';

/** The tag used when a name has none (ggcr's `name.DefaultTag`). */
export const DEFAULT_TAG = 'latest';

/**
 * The name people type for Docker Hub. Its API lives at `index.docker.io`, so the alias is
 * rewritten on parse (ggcr issue #68): two spellings of one registry must give one name.
 */
export const DOCKER_HUB_ALIAS = 'docker.io';

/** Options for parsing registries, repositories, tags, digests and references. */
export interface NameOptions {
  /**
   * Require a fully spelled-out name: an explicit registry, the `library/` namespace on Docker
   * Hub, and an explicit tag (ggcr's `StrictValidation`). Default `false` (`WeakValidation`).
   */
  strict?: boolean | undefined;
  /** Talk to the registry over plain HTTP (ggcr's `Insecure`). Default `false`. */
  insecure?: boolean | undefined;
  /** Registry used when the name has none (ggcr's `WithDefaultRegistry`). Default `index.docker.io`. */
  defaultRegistry?: string | undefined;
  /** Tag used when the name has none (ggcr's `WithDefaultTag`). Default `latest`. */
  defaultTag?: string | undefined;
}

/** `NameOptions` with every default filled in and validated. */
export interface ResolvedNameOptions {
  readonly strict: boolean;
  readonly insecure: boolean;
  readonly defaultRegistry: string;
  readonly defaultTag: string;
}

/**
 * Fills in the defaults. A default registry or tag that is itself invalid throws
 * `BadNameError` here rather than producing names that cannot be used.
 *
 * @example
 * resolveOptions({ defaultTag: 'stable' }).defaultRegistry; // 'index.docker.io'
 */
export function resolveOptions(options: NameOptions = {}): ResolvedNameOptions {
  // Empty strings count as "not given": a CLI flag left blank must not produce a nameless
  // registry or a `repo:` reference.
  let defaultRegistry = options.defaultRegistry || DEFAULT_REGISTRY;
  checkRegistry(defaultRegistry, defaultRegistry, 'default registry');
  // The same alias rule as for parsed names, so `defaultRegistry: 'docker.io'` still gets
  // the implicit `library/` namespace.
  if (defaultRegistry === DOCKER_HUB_ALIAS) defaultRegistry = DEFAULT_REGISTRY;
  const defaultTag = options.defaultTag || DEFAULT_TAG;
  checkTag(defaultTag, defaultTag, 'default tag');
  return {
    strict: options.strict ?? false, // ggcr's default is WeakValidation: `ubuntu` must just work
    insecure: options.insecure ?? false, // TLS unless asked, or unless scheme() sees a local address
    defaultRegistry,
    defaultTag,
  };
}
