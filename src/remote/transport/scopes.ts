/**
 * @module The actions of token scopes (ggcr's `transport.PullScope` …), for
 * `repository.scope(action)`: `repository:<name>:<action>`.
 */

/** Read a repository. */
export const PULL_SCOPE = 'pull';
/** Write a repository (uploads need pull too, to check what exists). */
export const PUSH_SCOPE = 'push,pull';
/** Delete from a repository. */
export const DELETE_SCOPE = 'push,pull,delete';
/** The action of the registry-wide catalog scope (`registry:catalog:*` asks for all). */
export const CATALOG_SCOPE = 'catalog';
