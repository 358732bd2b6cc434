/**
 * @module The transport's errors: `TransportError` for a registry answer with an unexpected status
 * (the spec's `{errors:[{code,message,detail}]}` diagnostics kept verbatim, ggcr's
 * `transport.Error`), and the failures that happen before any answer: a request that never got a
 * response, a URL refused by the SSRF guards, a ping that failed over every scheme, a
 * `WWW-Authenticate` challenge we cannot use.
 */
import { STATUS_CODES } from 'node:http';
import { OciError } from '../../errors/index.ts';

/** One entry of a registry's error body (distribution spec "Error Codes"). */
export interface Diagnostic {
  readonly code: string;
  readonly message: string;
  readonly detail?: unknown;
}

/** The error codes of the distribution spec (and Docker's extras), as ggcr names them. */
export const ErrorCode = Object.freeze({
  BLOB_UNKNOWN: 'BLOB_UNKNOWN',
  BLOB_UPLOAD_INVALID: 'BLOB_UPLOAD_INVALID',
  BLOB_UPLOAD_UNKNOWN: 'BLOB_UPLOAD_UNKNOWN',
  DIGEST_INVALID: 'DIGEST_INVALID',
  MANIFEST_BLOB_UNKNOWN: 'MANIFEST_BLOB_UNKNOWN',
  MANIFEST_INVALID: 'MANIFEST_INVALID',
  MANIFEST_UNKNOWN: 'MANIFEST_UNKNOWN',
  MANIFEST_UNVERIFIED: 'MANIFEST_UNVERIFIED',
  NAME_INVALID: 'NAME_INVALID',
  NAME_UNKNOWN: 'NAME_UNKNOWN',
  SIZE_INVALID: 'SIZE_INVALID',
  TAG_INVALID: 'TAG_INVALID',
  UNAUTHORIZED: 'UNAUTHORIZED',
  DENIED: 'DENIED',
  UNSUPPORTED: 'UNSUPPORTED',
  TOOMANYREQUESTS: 'TOOMANYREQUESTS',
  UNKNOWN: 'UNKNOWN',
  UNAVAILABLE: 'UNAVAILABLE',
} as const);

// ggcr's `temporaryStatusCodes` and `temporaryErrorCodes`: what `Temporary()` calls worth retrying.
const TEMPORARY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
const TEMPORARY_CODES: ReadonlySet<string> = new Set(['BLOB_UPLOAD_INVALID', 'TOOMANYREQUESTS', 'UNKNOWN', 'UNAVAILABLE']);

/** What {@link TransportError} is built from. */
export interface TransportErrorInit {
  readonly status: number;
  readonly method: string;
  /** Already redacted. */
  readonly url: string;
  readonly diagnostics?: readonly Diagnostic[];
  /** The body's text when it held no diagnostics (already redacted and shortened). */
  readonly body?: string;
  /** The delay a `Retry-After` header asked for. */
  readonly retryAfterMs?: number | undefined;
}

/**
 * A registry answered with a status the caller did not expect. The message is ggcr's:
 * `GET https://r.example/v2/x/manifests/1: MANIFEST_UNKNOWN: manifest unknown; {"tag":"1"}`.
 */
export class TransportError extends OciError {
  override readonly code = 'ERR_REGISTRY';
  readonly status: number;
  readonly diagnostics: readonly Diagnostic[];
  readonly method: string;
  /** The request URL with secrets redacted. */
  readonly url: string;
  /** What `Retry-After` asked for, in milliseconds, when the registry sent it. */
  readonly retryAfterMs: number | undefined;

  constructor(init: TransportErrorInit, options?: { cause?: unknown }) {
    const diagnostics = Object.freeze([...(init.diagnostics ?? [])]);
    super(`${init.method} ${init.url}: ${describeResponse(init.status, init.method, diagnostics, init.body)}`, options);
    this.status = init.status;
    this.diagnostics = diagnostics;
    this.method = init.method;
    this.url = init.url;
    this.retryAfterMs = init.retryAfterMs;
  }

  /**
   * Whether trying again may help (ggcr's `Error.Temporary`): with no diagnostics, a status in
   * 408, 429, 500, 502, 503, 504; otherwise every diagnostic code is one of BLOB_UPLOAD_INVALID,
   * TOOMANYREQUESTS, UNKNOWN, UNAVAILABLE.
   */
  get temporary(): boolean {
    if (this.diagnostics.length === 0) return TEMPORARY_STATUSES.has(this.status);
    return this.diagnostics.every((d) => TEMPORARY_CODES.has(d.code));
  }
}

function describeDiagnostic(d: Diagnostic): string {
  const head = `${d.code}: ${d.message}`;
  if (d.detail === undefined || d.detail === null) return head;
  return `${head}; ${typeof d.detail === 'string' ? d.detail : JSON.stringify(d.detail)}`;
}

function describeResponse(status: number, method: string, diagnostics: readonly Diagnostic[], body: string | undefined): string {
  if (diagnostics.length === 1) return describeDiagnostic(diagnostics[0]!);
  if (diagnostics.length > 1) return `multiple errors returned: ${diagnostics.map(describeDiagnostic).join('; ')}`;
  const line = `unexpected status code ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
  if (body) return `${line}: ${body}`;
  // A HEAD answer cannot carry the diagnostics that would say why.
  return method === 'HEAD' ? `${line} (HEAD responses have no body, use GET for details)` : line;
}

/**
 * True when `err` is a {@link TransportError}; with `codes`, only when one of its diagnostics has
 * one of the string codes or its status is one of the numbers.
 *
 * @example
 * if (isTransportError(err, ErrorCode.MANIFEST_UNKNOWN, 404)) return undefined;
 */
export function isTransportError(err: unknown, ...codes: (string | number)[]): err is TransportError {
  if (!(err instanceof TransportError)) return false;
  if (codes.length === 0) return true;
  return codes.some((c) => (typeof c === 'number' ? err.status === c : err.diagnostics.some((d) => d.code === c)));
}

/** A request that got no answer: connection refused or dropped, TLS failure, too many redirects. */
export class RequestFailedError extends OciError {
  override readonly code = 'ERR_REQUEST_FAILED';
  readonly method: string;
  /** The request URL with secrets redacted. */
  readonly url: string;
  constructor(message: string, init: { method: string; url: string }, options?: { cause?: unknown }) {
    super(`${init.method} ${init.url}: ${message}`, options);
    this.method = init.method;
    this.url = init.url;
  }
}

/**
 * A connection that failed under our own HTTP/1.1 reader (see `wire.ts`): closed before the
 * answer or its body was whole (`ERR_CONNECTION_CLOSED`), silent for too long
 * (`ERR_CONNECTION_TIMEOUT`), or an answer that is not HTTP/1.1 we can read
 * (`ERR_HTTP_PROTOCOL`). The first two are `temporary`: a fresh connection may well succeed.
 */
export class ConnectionError extends OciError {
  override readonly code: 'ERR_CONNECTION_CLOSED' | 'ERR_CONNECTION_TIMEOUT' | 'ERR_HTTP_PROTOCOL';
  readonly temporary: boolean;
  constructor(code: ConnectionError['code'], message: string) {
    super(message);
    this.code = code;
    this.temporary = code !== 'ERR_HTTP_PROTOCOL';
  }
}

/**
 * A URL the SSRF guards refuse: a redirect, upload `Location`, `Link` page, token realm or
 * foreign-layer URL that points at a loopback, private, link-local or unspecified address the
 * registry did not live on, or that uses a scheme we do not speak.
 */
export class UnsafeURLError extends OciError {
  override readonly code = 'ERR_UNSAFE_URL';
}

/** The ping (`GET /v2/`) failed over every scheme tried; `errors` holds each failure. */
export class PingError extends OciError {
  override readonly code = 'ERR_PING';
  readonly errors: readonly unknown[];
  constructor(message: string, errors: readonly unknown[]) {
    super(message, { cause: errors[0] });
    this.errors = errors;
  }
}

/** A `WWW-Authenticate` challenge we cannot act on: unknown scheme, missing or refused realm, unusable token answer. */
export class AuthChallengeError extends OciError {
  override readonly code = 'ERR_AUTH_CHALLENGE';
}
