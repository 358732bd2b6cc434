/**
 * @module containerregistry: container images and registries for Node.js. Each module is also
 * its own subpath (`containerregistry/name`, `/v1`, …); importing a subpath loads only that module.
 *
 * @example
 * import { name, random, validate } from 'containerregistry';
 * const ref = name.parseReference('alpine:3.20');
 * await validate.image(random.image(1024, 2));
 */
export * as errors from './errors/index.ts';
export * as name from './name/index.ts';
export * as types from './types/index.ts';
export * as v1 from './v1/index.ts';
export * as partial from './partial/index.ts';
export * as empty from './empty/index.ts';
// `static` is a reserved word for a binding; the subpath `containerregistry/static` keeps ggcr's name.
export * as staticLayer from './static/index.ts';
export * as random from './random/index.ts';
export * as stream from './stream/index.ts';
export * as match from './match/index.ts';
export * as compare from './compare/index.ts';
export * as validate from './validate/index.ts';
export * as registry from './registry/index.ts';
export * as authn from './authn/index.ts';
export * as remote from './remote/index.ts';
export * as crane from './crane/index.ts';
export * as tarball from './tarball/index.ts';
export * as legacy from './legacy/index.ts';
export * as layout from './layout/index.ts';
export * as daemon from './daemon/index.ts';
export * as cache from './cache/index.ts';
