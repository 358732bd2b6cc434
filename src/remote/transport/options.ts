/**
 * @module The transport's options and their defaults, each in one place with its reason.
 */
import type { Dispatcher } from 'undici';
import type { Authenticator } from '../../authn/authenticator.ts';
import { DEFAULT_BACKOFF, MAX_RETRY_AFTER_MS } from '../../internal/retry/index.ts';

/** How single requests are retried. */
export interface RetryOptions {
  /** Tries in all, the first included. Default 3 (ggcr). */
  attempts?: number | undefined;
  /** The sleep after the first failure. Default 1000 ms (ggcr). */
  initialDelayMs?: number | undefined;
  /** Growth of each sleep over the last. Default 3 (ggcr). */
  factor?: number | undefined;
  /** Random extra of up to this fraction of each sleep. Default 0.1 (ggcr). */
  jitter?: number | undefined;
  /** Statuses retried. Default 408, 429, 500, 502, 503, 504, 499, 522 (ggcr). */
  statusCodes?: readonly number[] | undefined;
  /** The longest `Retry-After` honoured. Default 5 minutes. */
  maxRetryAfterMs?: number | undefined;
}

/** TLS material added to the system's trust and identity. */
export interface TlsOptions {
  /** Extra CA certificates (PEM), trusted besides the system's. */
  ca?: readonly (string | Buffer)[] | undefined;
  /** A client certificate (PEM) and its key, for registries that ask for one. */
  cert?: string | Buffer | undefined;
  key?: string | Buffer | undefined;
}

/** Options of {@link newTransport}. */
export interface TransportOptions {
  /** Credentials for the registry. Default `Anonymous`. */
  authenticator?: Authenticator | undefined;
  /** Allow plain http for any registry and skip TLS verification (crane `--insecure`). */
  insecure?: boolean | undefined;
  /** A prefix of the User-Agent; `containerregistry/<version>` is appended. */
  userAgent?: string | undefined;
  /**
   * Where requests go (tests, proxies); default a shared keep-alive `Agent` per TLS setting, and
   * for blob GETs to plain-HTTP registries our own HTTP/1.1 reader (`wire.ts`). Given, it sees
   * every request.
   */
  dispatcher?: Dispatcher | undefined;
  tls?: TlsOptions | undefined;
  /**
   * Per-host TLS directories: `<dir>/<host[:port]>/` holds `*.crt` CAs and `*.cert` + `*.key`
   * client certificates, as Docker and podman read them. Default
   * `['/etc/docker/certs.d', '/etc/containers/certs.d']`.
   */
  certsDirs?: readonly string[] | undefined;
  retry?: RetryOptions | undefined;
  /** Receives a debug log of requests and responses, every secret redacted. */
  logger?: ((line: string) => void) | undefined;
  /** Receives each distinct `Warning: 299 - "text"` a registry sends. */
  onWarning?: ((text: string) => void) | undefined;
  /** Aborts the ping, token exchanges and every request of the transport. */
  signal?: AbortSignal | undefined;
}

/** ggcr's `defaultRetryStatusCodes`: timeouts, throttling and gateway errors, incl. nginx 499 and Cloudflare 522. */
export const DEFAULT_RETRY_STATUS_CODES: readonly number[] = Object.freeze([408, 429, 500, 502, 503, 504, 499, 522]);

/** Where Docker (`/etc/docker/certs.d`) and podman/containers (`/etc/containers/certs.d`) keep per-registry TLS files. */
export const DEFAULT_CERTS_DIRS: readonly string[] = Object.freeze(['/etc/docker/certs.d', '/etc/containers/certs.d']);

/** How long https has the ping to itself before http joins the race: Go's DNS fallback delay, as ggcr. */
export const PING_FALLBACK_DELAY_MS = 300;

/** Redirects followed per request: Go's http.Client limit. */
export const MAX_REDIRECTS = 10;

/** Idle keep-alive of pooled connections: Go's dialer keep-alive in ggcr's base transport. */
export const KEEP_ALIVE_MS = 30_000;

/** The retry settings after defaults. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly initialDelayMs: number;
  readonly factor: number;
  readonly jitter: number;
  readonly statusCodes: ReadonlySet<number>;
  readonly maxRetryAfterMs: number;
}

/** Applies the defaults to `retry`. */
export function resolveRetry(retry: RetryOptions = {}): RetryPolicy {
  return {
    attempts: retry.attempts ?? DEFAULT_BACKOFF.attempts,
    initialDelayMs: retry.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs,
    factor: retry.factor ?? DEFAULT_BACKOFF.factor,
    jitter: retry.jitter ?? DEFAULT_BACKOFF.jitter,
    statusCodes: new Set(retry.statusCodes ?? DEFAULT_RETRY_STATUS_CODES),
    maxRetryAfterMs: Math.min(retry.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS, MAX_RETRY_AFTER_MS),
  };
}
