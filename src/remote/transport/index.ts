/**
 * @module The HTTP layer of the registry client (ggcr's `pkg/v1/remote/transport`): ping, Basic and
 * Bearer auth with token refresh, retries, redirects with SSRF guards, TLS from `certs.d`, a
 * redacted debug log, and `TransportError`s carrying the registry's diagnostics. undici is loaded
 * on the first request, not on import.
 *
 * @example
 * import { newTransport, isTransportError, ErrorCode } from 'containerregistry/remote/transport';
 * const t = await newTransport(repo.registry, [repo.scope('pull')], { authenticator });
 * try {
 *   const res = await t.request({ method: 'GET', url: `/v2/${repo.repositoryStr()}/manifests/latest` });
 * } catch (err) {
 *   if (isTransportError(err, ErrorCode.MANIFEST_UNKNOWN)) console.log('no such tag');
 * }
 */
export { newTransport, type Transport, type TransportRequest, type TransportResponse } from './transport.ts';
export {
  DEFAULT_CERTS_DIRS,
  DEFAULT_RETRY_STATUS_CODES,
  type RetryOptions,
  type TlsOptions,
  type TransportOptions,
} from './options.ts';
export {
  AuthChallengeError,
  ConnectionError,
  ErrorCode,
  isTransportError,
  PingError,
  RequestFailedError,
  TransportError,
  UnsafeURLError,
  type Diagnostic,
} from './errors.ts';
export { errorFromResponse } from './check-response.ts';
export { parseChallenge, parseChallenges, pickChallenge, type Challenge } from './challenge.ts';
export { checkRedirect, validateRealm } from './ssrf.ts';
export { isRestrictedIP } from './host.ts';
export { parseWarnings } from './warning.ts';
export type { RequestBody } from './body.ts';
export { CATALOG_SCOPE, DELETE_SCOPE, PULL_SCOPE, PUSH_SCOPE } from './scopes.ts';
