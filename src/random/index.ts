/**
 * @module Random images, indexes and layers for tests and demos (ggcr's `pkg/v1/random`),
 * reproducible from a seed and streamed, never held in memory.
 */
export { layer, type RandomLayerOptions } from './layer.ts';
export { image, index, type RandomImageOptions, type RandomIndexOptions } from './image.ts';
export { randomStream } from './bytes.ts';
