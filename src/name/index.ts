/**
 * @module Image references (ggcr's `pkg/name`): parse `registry/repository[:tag|@digest]` into
 * immutable `Registry`, `Repository`, `Tag` and `Digest` values with Docker Hub's defaults.
 *
 * @example
 * import { parseReference } from 'containerregistry/name';
 * const ref = parseReference('ubuntu');
 * ref.name(); // 'index.docker.io/library/ubuntu:latest'
 * ref.scope('pull'); // 'repository:library/ubuntu:pull'
 */
export { BadNameError } from '../errors/index.ts';
export { isErrBadName, MAX_REPOSITORY_LENGTH, MAX_TAG_LENGTH } from './check.ts';
export { Digest, newDigest } from './digest.ts';
export {
  DEFAULT_REGISTRY,
  DEFAULT_TAG,
  DOCKER_HUB_ALIAS,
  resolveOptions,
  type NameOptions,
  type ResolvedNameOptions,
} from './options.ts';
export { parseReference, type Reference } from './reference.ts';
export { newInsecureRegistry, newRegistry, Registry } from './registry.ts';
export { newRepository, Repository } from './repository.ts';
export { registryScheme, type Scheme } from './scheme.ts';
export { newTag, Tag } from './tag.ts';
