/**
 * @module Error classes shared by every module: each has a stable `code`, an optional `cause`,
 * and a message that says what was wrong and where, never a credential.
 */

const brand = Symbol.for('containerregistry.error');

/**
 * The root of every error this package throws on purpose. `instanceof OciError` works across
 * two installed copies of the package (the brand is a global symbol, as undici does it).
 */
export class OciError extends Error {
  readonly code: string = 'ERR_OCI';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  get [brand](): true {
    return true;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== OciError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}

/** A reference, repository, tag, registry or digest string that does not parse. */
export class BadNameError extends OciError {
  override readonly code = 'ERR_BAD_NAME';
}

/** A hash string (`algorithm:hex`) that does not parse or names an unsupported algorithm. */
export class BadHashError extends OciError {
  override readonly code = 'ERR_BAD_HASH';
}

/** An error about a value that was not what it was expected to be; both are kept as data. */
export abstract class ExpectedActualError<T> extends OciError {
  readonly expected: T;
  readonly actual: T;
  constructor(message: string, expected: T, actual: T, options?: { cause?: unknown }) {
    super(message, options);
    this.expected = expected;
    this.actual = actual;
  }
}

/** Bytes whose digest differs from the one they were expected to have. */
export class DigestMismatchError extends ExpectedActualError<string> {
  override readonly code = 'ERR_DIGEST_MISMATCH';
}

/** A stream longer or shorter than the size it was expected to have. */
export class SizeMismatchError extends ExpectedActualError<number> {
  override readonly code = 'ERR_SIZE_MISMATCH';
}

/** A JSON document (manifest, index, config, descriptor) that is not what it claims to be. */
export class BadDocumentError extends OciError {
  override readonly code = 'ERR_BAD_DOCUMENT';
  /** Where in the document the problem is, e.g. `layers[3].digest`; empty for the whole. */
  readonly path: string;
  constructor(message: string, path = '', options?: { cause?: unknown }) {
    // Guards build child paths as `${parent}.${key}`; at the root that leaves a leading dot.
    const where = path.replace(/^\./, '');
    super(where ? `${where}: ${message}` : message, options);
    this.path = where;
  }
}

/** A platform string (`os/arch[/variant][:osversion]`) that does not parse. */
export class BadPlatformError extends OciError {
  override readonly code = 'ERR_BAD_PLATFORM';
}

/** A bounded read (manifest, error body, token) that exceeded its cap. */
export class TooLargeError extends OciError {
  override readonly code = 'ERR_TOO_LARGE';
  readonly limit: number;
  constructor(message: string, limit: number, options?: { cause?: unknown }) {
    super(message, options);
    this.limit = limit;
  }
}

/** zstd was needed but no codec that can do the job is installed. */
export class ZstdUnavailableError extends OciError {
  override readonly code = 'ERR_ZSTD_UNAVAILABLE';
}

/** Compressed data that does not decompress. */
export class CompressionError extends OciError {
  override readonly code = 'ERR_COMPRESSION';
}

/** A value of a single-pass layer asked for before its stream was read to the end. */
export class NotComputedError extends OciError {
  override readonly code = 'ERR_NOT_COMPUTED';
}

/** A single-pass stream asked for a second time. */
export class ConsumedError extends OciError {
  override readonly code = 'ERR_CONSUMED';
}

/** Something asked for is not there: a layer by digest, a child of an index, a cached blob. */
export class NotFoundError extends OciError {
  override readonly code = 'ERR_NOT_FOUND';
}

/** A tar stream that is malformed or truncated. */
export class BadTarError extends OciError {
  override readonly code = 'ERR_BAD_TAR';
}

/** A tar entry whose name or link target would land outside the root it is extracted into. */
export class UnsafePathError extends OciError {
  override readonly code = 'ERR_UNSAFE_PATH';
  readonly entry: string;
  constructor(message: string, entry: string, options?: { cause?: unknown }) {
    super(message, options);
    this.entry = entry;
  }
}

/** `validate` found one or more problems; `problems` lists each, `message` joins them. */
export class ValidationError extends OciError {
  override readonly code = 'ERR_VALIDATION';
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(problems.join('; '), options);
    this.problems = problems;
  }
}

/** A media type that is not the kind the call needs (an index where an image was wanted, …). */
export class UnexpectedMediaTypeError extends OciError {
  override readonly code = 'ERR_UNEXPECTED_MEDIA_TYPE';
}

/** An argument that is invalid before any I/O happens. */
export class InvalidArgumentError extends OciError {
  override readonly code = 'ERR_INVALID_ARGUMENT';
}

/** Returns true when `err` is one of ours with the given stable code. */
export function hasCode(err: unknown, code: string): boolean {
  return err instanceof OciError && err.code === code;
}

/** An upload session id that the registry does not know (distribution `BLOB_UPLOAD_UNKNOWN`). */
export class UploadNotFoundError extends OciError {
  override readonly code = 'ERR_UPLOAD_NOT_FOUND';
}

/** A chunk that does not start where the upload ends (distribution answers 416). */
export class UploadOffsetError extends ExpectedActualError<number> {
  override readonly code = 'ERR_UPLOAD_OFFSET';
}

/**
 * A bearer token (JWT) that fails verification: malformed, wrongly signed, expired, or meant for
 * another issuer or audience. The message says which check failed, never the token itself.
 */
export class InvalidTokenError extends OciError {
  override readonly code = 'ERR_INVALID_TOKEN';
}

/**
 * Credentials could not be obtained from a source that was asked for them: a credential helper
 * that failed (other than "not found"), `gcloud`, a kubeconfig exec plugin, the Kubernetes API, an
 * unreadable kubeconfig or service-account token. (A malformed config file is a `BadDocumentError`.)
 * The message names the source, never the secret.
 */
export class CredentialsError extends OciError {
  override readonly code = 'ERR_CREDENTIALS';
}

/**
 * The Docker Engine refused a request or could not be reached. `status` is the HTTP status of an
 * error answer; undefined when no answer came (socket missing, connection refused or dropped) or
 * when the error arrived inside a streamed answer (an `errorDetail` line of `docker load`).
 * A 404 is reported as `NotFoundError` whose `cause` is this error.
 */
export class DaemonError extends OciError {
  override readonly code = 'ERR_DAEMON';
  readonly status: number | undefined;
  /** The daemon's own words (`{"message": …}` or an `errorDetail`), verbatim; empty when none. */
  readonly daemonMessage: string;
  constructor(message: string, init: { status?: number | undefined; daemonMessage?: string } = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.status = init.status;
    this.daemonMessage = init.daemonMessage ?? '';
  }
}
