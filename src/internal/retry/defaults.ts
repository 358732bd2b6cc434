/**
 * @module The retry defaults, each with its reason.
 */

/**
 * ggcr's `remote` backoff (`defaultRetryBackoff`): 3 attempts, sleeping about 1 s and then about
 * 3 s between them (duration 1 s, factor 3, jitter 0.1). Long enough to ride out a load balancer
 * hiccup or a registry restart, short enough that a real outage is reported within seconds.
 */
export const DEFAULT_BACKOFF = {
  attempts: 3,
  initialDelayMs: 1000,
  factor: 3,
  jitter: 0.1,
} as const;

/**
 * The longest `Retry-After` we wait for: 5 minutes. ggcr ignores the header; we honour it because
 * registries send it with 429 and 503 to say when trying again is useful, but a CLI user waiting
 * longer than this would rather see the error, and a hostile value must not park us for days.
 */
export const MAX_RETRY_AFTER_MS = 5 * 60 * 1000;
