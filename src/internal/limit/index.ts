/**
 * @module Bounded reads of whole documents (ggcr's `internal/limit`).
 */
export { readAll, MANIFEST_LIMIT, SMALL_BODY_LIMIT, type ReadAllOptions } from './read-all.ts';
