/**
 * @module The exponential backoff schedule of ggcr's `internal/retry/wait` (a copy of
 * Kubernetes' `wait.Backoff`), as a pure function so the schedule can be read and tested.
 */

/** The shape of a backoff; see `DEFAULT_BACKOFF` for the values ggcr uses. */
export interface BackoffOptions {
  /** The sleep after the first failure, in milliseconds. */
  initialDelayMs: number;
  /** Each sleep is this many times the one before. */
  factor: number;
  /** Adds up to `jitter × sleep` at random, so clients that failed together retry apart. */
  jitter: number;
  /** The longest sleep before jitter; none if undefined. */
  capMs?: number | undefined;
}

/**
 * The sleep after failure number `failure` (0 for the first): `initialDelayMs × factor^failure`,
 * capped at `capMs`, plus `random() × jitter` of itself.
 *
 * Unlike `wait.Backoff`, reaching the cap does not also end the retries (Kubernetes sets
 * `Steps = 0` there, which stops after the capped sleep without another attempt); here the cap
 * only bounds the sleep and `attempts` alone decides how many tries there are.
 *
 * @example
 * backoffDelay(1, { initialDelayMs: 1000, factor: 3, jitter: 0.1 }, () => 0); // 3000
 */
export function backoffDelay(failure: number, options: BackoffOptions, random: () => number = Math.random): number {
  let base = options.initialDelayMs * options.factor ** failure;
  if (options.capMs !== undefined && base > options.capMs) base = options.capMs;
  return options.jitter > 0 ? base + random() * options.jitter * base : base;
}
