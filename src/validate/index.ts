/**
 * @module Checks that images, indexes and layers are what they claim to be (ggcr's
 * `pkg/v1/validate`), for gzip, zstd and uncompressed layers. Run it on the output of every
 * producer in tests. Each function throws `ValidationError` whose `problems` name every fault.
 */
export { layer, type ValidateOptions } from './layer.ts';
export { image } from './image.ts';
export { index } from './index-check.ts';
