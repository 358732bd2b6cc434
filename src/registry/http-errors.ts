/**
 * @module The distribution-spec error codes and their HTTP statuses, and the JSON body the spec
 * prescribes: `{"errors":[{"code","message","detail"}]}`.
 * https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#error-codes
 */

export type RegistryErrorCode =
  | 'BLOB_UNKNOWN'
  | 'BLOB_UPLOAD_INVALID'
  | 'BLOB_UPLOAD_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_UNKNOWN'
  | 'NAME_INVALID'
  | 'NAME_UNKNOWN'
  | 'SIZE_INVALID'
  | 'TAG_INVALID'
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'UNSUPPORTED'
  | 'TOOMANYREQUESTS'
  | 'RANGE_INVALID'
  | 'UNKNOWN';

/** An error the registry answers with: a spec code, an HTTP status, a message and extra headers. */
export class RegistryHttpError extends Error {
  readonly code: RegistryErrorCode;
  readonly status: number;
  readonly detail: unknown;
  readonly headers: Readonly<Record<string, string>>;

  constructor(status: number, code: RegistryErrorCode, message: string, options: { detail?: unknown; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }

  /** The spec's error body. */
  body(): string {
    const e: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.detail !== undefined) e['detail'] = this.detail;
    return JSON.stringify({ errors: [e] });
  }
}

export const blobUnknown = (digest: string) => new RegistryHttpError(404, 'BLOB_UNKNOWN', `blob unknown to registry: ${digest}`, { detail: { digest } });
export const uploadUnknown = (id: string) => new RegistryHttpError(404, 'BLOB_UPLOAD_UNKNOWN', `blob upload unknown to registry: ${id}`);
export const manifestUnknown = (ref: string) => new RegistryHttpError(404, 'MANIFEST_UNKNOWN', `manifest unknown: ${ref}`, { detail: { reference: ref } });
export const nameUnknown = (name: string) => new RegistryHttpError(404, 'NAME_UNKNOWN', `repository name not known to registry: ${name}`, { detail: { name } });
export const digestInvalid = (message: string) => new RegistryHttpError(400, 'DIGEST_INVALID', message);
export const manifestInvalid = (message: string) => new RegistryHttpError(400, 'MANIFEST_INVALID', message);
export const unsupported = (message: string) => new RegistryHttpError(405, 'UNSUPPORTED', message);
