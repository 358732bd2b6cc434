/**
 * @module One HTTP exchange over undici, and the same with retries: the bottom of ggcr's stack
 * (user agent → retry → debug logger → base transport). Every log line and error goes through
 * the redactors; `Warning` headers are reported once each.
 */
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { redactHeaders, redactText, redactURL } from '../../internal/redact/index.ts';
import { retry, isTemporary } from '../../internal/retry/index.ts';
import { version } from '../../internal/version/index.ts';
import { errorFromResponse } from './check-response.ts';
import { RequestFailedError, TransportError } from './errors.ts';
import type { RetryPolicy } from './options.ts';
import { parseWarnings } from './warning.ts';
import { loadUndiciCore } from './dispatcher.ts';
import { wireRequest } from './wire.ts';

/** One request as sent. */
export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer | Uint8Array | string | Readable | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Why this exchange's bodies must never be logged (token exchanges carry credentials). */
  readonly secret?: string | undefined;
}

/** One response as received; `body` must be consumed or discarded. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
  readonly url: URL;
}

/** What an {@link HttpClient} is made from. */
export interface HttpClientSettings {
  readonly dispatcherFor: (url: URL) => Promise<Dispatcher>;
  readonly userAgent?: string | undefined;
  readonly retry: RetryPolicy;
  readonly logger?: ((line: string) => void) | undefined;
  readonly onWarning?: ((text: string) => void) | undefined;
  /**
   * True when plain-HTTP GETs and HEADs may go through our own HTTP/1.1 reader (`wire.ts`),
   * whose bodies a layout writer can pump: no dispatcher was injected (a caller's dispatcher
   * sees every request) and no proxy is configured.
   */
  readonly wire?: boolean | undefined;
}

/** Options of {@link HttpClient.sendRetrying}. */
export interface SendRetryingOptions {
  /** False for one attempt only (ggcr `retry.Never`, used inside whole-operation retries). */
  readonly retry: boolean;
  /** False when the body cannot be sent again: then nothing is retried. */
  readonly replayable: boolean;
  /** Statuses the caller wants; they are returned even when listed as retryable. */
  readonly expected?: ((status: number) => boolean) | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Closes a request body stream that will not be sent (again); bytes and strings need nothing. */
export function release(body: HttpRequest['body']): void {
  if (body instanceof Readable && !body.destroyed) body.destroy();
}

/** Throws away an unwanted response body, letting undici reuse the connection when it is short. */
export function discard(body: Readable): void {
  const dump = (body as { dump?: () => Promise<void> }).dump;
  if (typeof dump === 'function') dump.call(body).catch(() => {});
  else body.destroy();
}

function headerLines(headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const lines: string[] = [];
  for (const [name, value] of Object.entries(redactHeaders(headers))) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`\n    ${name}: ${v}`);
  }
  return lines.join('');
}

/** Sends requests through undici with a user agent, a debug log and retries. */
export class HttpClient {
  readonly retryPolicy: RetryPolicy;
  readonly #settings: HttpClientSettings;
  readonly #userAgent: string;
  readonly #warned = new Set<string>();

  constructor(settings: HttpClientSettings) {
    this.#settings = settings;
    this.retryPolicy = settings.retry;
    const own = `containerregistry/${version()}`;
    this.#userAgent = settings.userAgent ? `${settings.userAgent} ${own}` : own;
  }

  /** Writes a debug line when a logger is set. */
  log(line: string): void {
    this.#settings.logger?.(line);
  }

  /** One exchange; no retries. Failures without a response become `RequestFailedError`. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const { method, url, signal } = req;
    const headers: Record<string, string> = { 'user-agent': this.#userAgent };
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
    const shown = redactURL(url);
    const note = req.secret ? ` [body redacted: ${req.secret}]` : '';
    const logging = this.#settings.logger !== undefined;
    // Redacting every header costs a little on each request: only when someone reads the log.
    if (logging) this.log(`--> ${method} ${shown}${note}${headerLines(headers)}`);
    const started = performance.now();
    const wire = this.#settings.wire === true && (method === 'GET' || method === 'HEAD') && url.protocol === 'http:' && req.body === undefined;
    // Outside the try: a broken certs.d directory is a configuration error, not a network failure.
    const dispatcher = wire ? undefined : await this.#settings.dispatcherFor(url);
    let res: { statusCode: number; headers: HttpResponse['headers']; body: Readable };
    try {
      if (!dispatcher) {
        res = await wireRequest({ method: method as 'GET' | 'HEAD', url, headers, signal });
      } else {
        const undici = await loadUndiciCore();
        res = await undici.request(dispatcher, {
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: method as Dispatcher.HttpMethod,
          headers,
          body: req.body ?? null,
          signal: signal ?? null,
        });
      }
    } catch (err) {
      // undici leaves a stream it never got to send open (a file stream would hold its descriptor).
      release(req.body);
      if (signal?.aborted) throw signal.reason;
      const message = describeFailure(err);
      this.log(`<-- ${method} ${shown} failed after ${Math.round(performance.now() - started)} ms: ${message}`);
      throw new RequestFailedError(message, { method, url: shown }, { cause: err });
    }
    const elapsed = Math.round(performance.now() - started);
    if (logging) this.log(`<-- ${res.statusCode} ${method} ${shown} (${elapsed} ms)${note}${headerLines(res.headers)}`);
    this.#reportWarnings(res.headers['warning']);
    return { status: res.statusCode, headers: res.headers, body: res.body, url };
  }

  /**
   * `send` with ggcr's retries: statuses in the policy (unless `expected`) and temporary failures
   * (dropped connections, timeouts) are tried again after a backoff, honouring `Retry-After`.
   * `build` makes each attempt's request, re-opening its body. On the last attempt a retryable
   * status is returned as it is, so the caller's error keeps the registry's diagnostics.
   */
  async sendRetrying(build: () => Promise<HttpRequest>, options: SendRetryingOptions): Promise<HttpResponse> {
    const policy = this.retryPolicy;
    const attempts = options.retry && options.replayable ? policy.attempts : 1;
    let described = '';
    return retry(
      async (attempt) => {
        const req = await build();
        described = `${req.method} ${redactURL(req.url)}`;
        const res = await this.send(req);
        const retryable = policy.statusCodes.has(res.status) && !(options.expected?.(res.status) ?? false);
        if (retryable && attempt < attempts) {
          release(req.body);
          throw await errorFromResponse(res, req.method, req.url);
        }
        return res;
      },
      {
        attempts,
        initialDelayMs: policy.initialDelayMs,
        factor: policy.factor,
        jitter: policy.jitter,
        // Only retryable statuses are thrown as TransportError inside the attempt.
        shouldRetry: (err) => err instanceof TransportError || isTemporary(err),
        retryAfterMs: (err) =>
          err instanceof TransportError && err.retryAfterMs !== undefined ? Math.min(err.retryAfterMs, policy.maxRetryAfterMs) : undefined,
        onRetry: ({ error, attempt, delayMs }) =>
          this.log(`retrying ${described} (attempt ${attempt + 1} of ${attempts}) in ${Math.round(delayMs)} ms: ${(error as Error).message}`),
        signal: options.signal,
      },
    );
  }

  #reportWarnings(header: string | string[] | undefined): void {
    const onWarning = this.#settings.onWarning;
    if (!onWarning) return;
    for (const text of parseWarnings(header)) {
      if (this.#warned.has(text)) continue;
      this.#warned.add(text);
      onWarning(text);
    }
  }
}

/** undici's error, with its code when the message lacks it (`other side closed (UND_ERR_SOCKET)`). */
function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error && err.cause.message !== err.message ? `: ${err.cause.message}` : '';
  // OpenSSL's `80BC…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:file:line:` → its reason.
  const message = `${err.message}${cause}`.replace(/[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):[^\n]*\n?/g, '$1').trim();
  return redactText(typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message);
}
