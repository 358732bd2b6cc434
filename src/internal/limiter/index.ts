/**
 * @module Bounded concurrency: a FIFO limiter and an order-keeping, fail-fast `mapLimit`.
 */
export { createLimiter, type Limiter, type Release } from './limiter.ts';
export { mapLimit, type MapLimitOptions } from './map-limit.ts';
export { DEFAULT_JOBS } from './defaults.ts';
