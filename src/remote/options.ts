/**
 * @module The options every remote call takes, with their defaults in one place (ggcr's
 * `remote.Option`s and `makeOptions`).
 */
import type { Authenticator, Keychain } from '../authn/authenticator.ts';
import type { Platform } from '../v1/platform.ts';
import type { BlobProgressCallback, ProgressCallback } from '../v1/progress.ts';
import type { TransportOptions } from './transport/index.ts';

export interface RemoteOptions extends Omit<TransportOptions, 'authenticator' | 'signal'> {
  /** Credentials to use; wins over `keychain`. */
  readonly auth?: Authenticator;
  /** Where to find credentials for the registry; default none (anonymous). */
  readonly keychain?: Keychain;
  /** Which image to pick from an index when one image is wanted; default linux/amd64 (ggcr). */
  readonly platform?: Platform;
  /** Concurrent blob transfers and children; default 4 (ggcr's `jobs`: registries throttle more). */
  readonly jobs?: number;
  /** Page size for tags and catalog; default 1000 (ECR rejects more, ggcr #1091). */
  readonly pageSize?: number;
  /** Bytes and blobs done out of total, for pulls and pushes. */
  readonly onProgress?: ProgressCallback;
  /** The same, blob by blob (for per-blob bars). */
  readonly onBlobProgress?: BlobProgressCallback;
  /** Push foreign / non-distributable layers too (crane `--allow-nondistributable-artifacts`). */
  readonly allowNondistributableArtifacts?: boolean;
  /** Human-readable progress lines (`pushed blob: …`, `existing blob: …`), as crane prints them. */
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export const DEFAULT_PLATFORM: Platform = Object.freeze({ os: 'linux', architecture: 'amd64' });
export { DEFAULT_JOBS } from '../internal/limiter/index.ts';
export const DEFAULT_PAGE_SIZE = 1000;
export { MANIFEST_LIMIT } from '../internal/limit/index.ts';
