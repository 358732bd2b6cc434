/**
 * @module The embedded OCI registry (ggcr's `pkg/registry`, grown into a complete one): the
 * distribution-spec v1.1 API over memory or disk storage, with optional basic or token auth.
 *
 * @example
 * import { registry } from 'containerregistry';
 * const reg = await registry.listen({ storage: { disk: './data' } });
 * console.log(reg.url); // http://127.0.0.1:PORT
 */
export { create, listen, type Registry, type RegistryOptions, type ListenOptions, type RunningRegistry } from './server.ts';
export { createHandler, type HandlerOptions, type Authorize, type AuthDecision, type RegistryWarning } from './handler.ts';
export type { Need, Action, BlobRedirect, BlobRedirector } from './context.ts';
export { RegistryHttpError, type RegistryErrorCode } from './http-errors.ts';
export * from './storage/index.ts';
