/**
 * @module The default concurrency, with its reason.
 */

/**
 * How many blobs, manifests or children are worked on at once unless `jobs` says otherwise: 4,
 * ggcr's default for `remote` and `crane`. Registries throttle clients that open many parallel
 * uploads, and four streams already fill most links; more mostly adds 429s.
 */
export const DEFAULT_JOBS = 4;
