/**
 * @module What every route handler receives: the request and response, the parsed URL, the
 * storage, limits, and the authorization check for the actions the route needs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegistryStorage } from './storage/types.ts';

export type Action = 'pull' | 'push' | 'delete';

export interface Need {
  readonly repository?: string;
  readonly actions: readonly Action[];
  readonly catalog?: boolean;
}

/** Where a blob GET/HEAD is sent instead of being served (ggcr's `RedirectError`). */
export interface BlobRedirect {
  /** Absolute URL (or path) the client should fetch the blob from. */
  readonly location: string;
  /** Default 307, which keeps the method. */
  readonly status?: 301 | 302 | 303 | 307 | 308 | undefined;
}

/**
 * Decides, for a blob the repository has, whether to redirect its GET/HEAD elsewhere (e.g. to
 * pre-signed object storage); undefined serves the bytes. `digest` is `alg:hex`.
 */
export type BlobRedirector = (
  repository: string,
  digest: string,
  method: 'GET' | 'HEAD',
) => BlobRedirect | undefined | Promise<BlobRedirect | undefined>;

export interface Ctx {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly storage: RegistryStorage;
  /** Largest manifest accepted on PUT. */
  readonly maxManifestBytes: number;
  /** Whether the referrers API is served; without it a manifest PUT must not answer `OCI-Subject`. */
  readonly referrers: boolean;
  readonly blobRedirect?: BlobRedirector | undefined;
  /** Resolves when the request may do `need`; otherwise rejects with a 401/403 `RegistryHttpError`. */
  authorize(need: Need): Promise<void>;
  /** True when the account may do `need` (for optional steps such as a cross-repo mount). */
  may(need: Need): Promise<boolean>;
}

/** `/v2/<name>/blobs/<digest>`: where a blob lives, for `Location`. */
export const blobPath = (name: string, digest: string) => `/v2/${name}/blobs/${digest}`;
export const uploadPath = (name: string, id: string) => `/v2/${name}/blobs/uploads/${id}`;
export const manifestPath = (name: string, ref: string) => `/v2/${name}/manifests/${ref}`;

/** The `Range` header value for an upload of `size` bytes: inclusive, `0-0` when empty, as distribution. */
export const uploadRange = (size: number) => `0-${Math.max(size - 1, 0)}`;
