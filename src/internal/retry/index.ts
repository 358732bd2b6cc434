/**
 * @module Retrying transient failures with exponential backoff (ggcr's `internal/retry`), with
 * `Retry-After` support and abortable sleeps.
 */
export { retry, type RetryOptions, type RetryEvent } from './retry.ts';
export { backoffDelay, type BackoffOptions } from './backoff.ts';
export { isTemporary } from './temporary.ts';
export { parseRetryAfter } from './retry-after.ts';
export { sleep } from './sleep.ts';
export { DEFAULT_BACKOFF, MAX_RETRY_AFTER_MS } from './defaults.ts';
