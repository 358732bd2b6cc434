/**
 * @module A layer cache (ggcr's `pkg/v1/cache`): wrap an image or index so its layers come from a
 * local cache when present and are stored there, verified, as they are read from the source.
 *
 * @example
 * import * as cache from 'containerregistry/cache';
 * const c = cache.filesystemCache('/var/cache/crane');
 * const img = cache.image(await remote.image(ref), c);
 */
export { isNotFound, isStoredLayer, type Cache, type StoredLayer, type StoredOptions } from './cache.ts';
export { NotFoundError } from '../errors/index.ts';
export { image, imageIndex } from './image.ts';
export { filesystemCache, entryName } from './filesystem.ts';
export { readOnly } from './read-only.ts';
