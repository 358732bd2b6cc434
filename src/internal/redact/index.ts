/**
 * @module Keeping secrets out of logs and error messages: query values in URLs, userinfo,
 * credential headers (ggcr's `internal/redact`).
 */
export { redactURL, QUERY_ALLOWLIST, REDACTED } from './redact-url.ts';
export { redactHeaders, type HeadersLike } from './redact-headers.ts';
export { redactError, redactText } from './redact-error.ts';
