/**
 * @module Retrying an operation with exponential backoff (ggcr's `internal/retry.Retry` over
 * `wait.ExponentialBackoff`), plus what ggcr lacks: honouring `Retry-After` and aborting.
 */
import { InvalidArgumentError } from '../../errors/index.ts';
import { backoffDelay } from './backoff.ts';
import { DEFAULT_BACKOFF, MAX_RETRY_AFTER_MS } from './defaults.ts';
import { sleep } from './sleep.ts';
import { isTemporary } from './temporary.ts';

/** What {@link RetryOptions.onRetry} is told before each sleep. */
export interface RetryEvent {
  /** Why the attempt failed. */
  error: unknown;
  /** The attempt that failed, from 1. */
  attempt: number;
  /** How long we sleep before the next attempt. */
  delayMs: number;
}

/** Options for {@link retry}; unset fields take `DEFAULT_BACKOFF`. */
export interface RetryOptions {
  /** Tries in all, the first included (wait.Backoff's `Steps`); 1 means no retry. Default 3. */
  attempts?: number | undefined;
  /** The sleep after the first failure. Default 1000 ms. */
  initialDelayMs?: number | undefined;
  /** Growth of each sleep over the last. Default 3. */
  factor?: number | undefined;
  /** Random extra of up to this fraction of each sleep. Default 0.1. */
  jitter?: number | undefined;
  /** The longest sleep before jitter. Default none. */
  capMs?: number | undefined;
  /** Whether a failure is worth another try. Default `isTemporary`. */
  shouldRetry?: ((err: unknown) => boolean) | undefined;
  /** A delay the failure asks for (a parsed `Retry-After`), honoured up to `MAX_RETRY_AFTER_MS`. */
  retryAfterMs?: ((err: unknown) => number | undefined) | undefined;
  /** Called before each sleep, e.g. to log `retrying …` as ggcr does. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /** Stops retrying: a pending sleep ends and the promise rejects with the reason. */
  signal?: AbortSignal | undefined;
}

function check(name: string, value: number, ok: boolean): void {
  if (!ok) throw new InvalidArgumentError(`retry ${name} is invalid: ${value}`);
}

/**
 * Calls `fn` until it resolves, a failure is not retryable, or `attempts` tries have failed,
 * sleeping between tries (about 1 s, then 3 s with the defaults); rejects with the last error.
 * When `retryAfterMs` returns a delay for the failure, the sleep is at least that long (capped at
 * five minutes, see `MAX_RETRY_AFTER_MS`).
 *
 * @example
 * const res = await retry(() => request(url), {
 *   retryAfterMs: (err) => parseRetryAfter(headerOf(err)),
 *   onRetry: ({ error }) => logger.warn(`retrying ${error}`),
 *   signal,
 * });
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? DEFAULT_BACKOFF.attempts;
  const backoff = {
    initialDelayMs: options.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
    factor: options.factor ?? DEFAULT_BACKOFF.factor,
    jitter: options.jitter ?? DEFAULT_BACKOFF.jitter,
    capMs: options.capMs,
  };
  check('attempts', attempts, Number.isSafeInteger(attempts) && attempts >= 1);
  check('initialDelayMs', backoff.initialDelayMs, backoff.initialDelayMs >= 0);
  check('factor', backoff.factor, backoff.factor >= 0);
  check('jitter', backoff.jitter, backoff.jitter >= 0);
  if (backoff.capMs !== undefined) check('capMs', backoff.capMs, backoff.capMs >= 0);
  const shouldRetry = options.shouldRetry ?? isTemporary;
  const { signal } = options;

  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      // A failure caused by the caller's abort is reported as the abort, never retried.
      if (signal?.aborted) throw signal.reason;
      if (attempt >= attempts || !shouldRetry(err)) throw err;
      let delayMs = backoffDelay(attempt - 1, backoff);
      const asked = options.retryAfterMs?.(err);
      if (asked !== undefined && Number.isFinite(asked) && asked > delayMs) {
        delayMs = Math.min(asked, MAX_RETRY_AFTER_MS);
      }
      options.onRetry?.({ error: err, attempt, delayMs });
      await sleep(delayMs, signal);
    }
  }
}
