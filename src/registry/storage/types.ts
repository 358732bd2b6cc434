/**
 * @module The registry's storage contract. Two backends implement it: `memory` (tests) and
 * `disk` (the default of `crane registry serve`). The HTTP layer validates repository names and
 * digests before calling in; the storage still refuses anything that could escape its root.
 *
 * Visibility rules every backend keeps:
 * - Blobs are content-addressed and stored once, but visible per repository: a blob is readable
 *   in a repository only after it was uploaded there, mounted there, or referenced by a manifest
 *   pushed there.
 * - Nothing is visible before it is complete and verified: an upload becomes a blob only when
 *   `completeUpload` has checked its digest (and the disk backend has renamed it into place); a
 *   manifest or tag only when fully written.
 */
import type { Readable } from 'node:stream';
import type { Hash } from '../../v1/hash.ts';
import type { Descriptor } from '../../v1/descriptor.ts';

export interface BlobInfo {
  readonly digest: Hash;
  readonly size: number;
}

/** Options of `RegistryStorage.openBlob`. */
export interface OpenBlobOptions {
  /**
   * What `statBlob` has just answered for this same repository and digest. A backend may take
   * the blob's visibility and size from it instead of checking again: the blob GET route passes
   * it, so a download costs one visibility check, not two. Names are still validated; a `stat`
   * for another digest is ignored. Never pass one that `statBlob` did not give for this repository.
   */
  readonly stat?: BlobInfo;
}

/** An upload session (distribution-spec "blob upload"). */
export interface UploadInfo {
  readonly id: string;
  readonly repository: string;
  /** Bytes received so far; the next chunk must start here. */
  readonly size: number;
  readonly startedAt: Date;
}

/** A stored manifest: its bytes exactly as pushed, its media type and digest. */
export interface StoredManifest {
  readonly bytes: Buffer;
  readonly mediaType: string;
  readonly digest: Hash;
}

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

export interface AppendOptions {
  /** Where the chunk claims to start (Content-Range); a mismatch rejects with `UploadOffsetError`. */
  readonly offset?: number;
  /** Declared chunk length (Content-Length / Content-Range); a body of another length is rejected. */
  readonly length?: number;
  readonly signal?: AbortSignal;
}

export interface GcOptions {
  /** Only report what would be removed. */
  readonly dryRun?: boolean;
  /** Also remove manifests that no tag (and no index reachable from a tag) references. */
  readonly untagged?: boolean;
  /**
   * Also remove upload sessions started more than this many milliseconds ago (abandoned pushes).
   * Unset, uploads are left alone.
   */
  readonly uploadsOlderThanMs?: number;
}

export interface GcReport {
  /** Blobs removed (or that would be), as digests. */
  readonly blobs: readonly string[];
  /** Manifests removed (or that would be), as `repo@digest`. */
  readonly manifests: readonly string[];
  /** Upload sessions removed (or that would be), as `repo/_uploads/id`. */
  readonly uploads: readonly string[];
  /** Bytes freed (or that would be), uploads' data included. */
  readonly bytes: number;
}

/** What the registry's HTTP layer needs from storage. Every method may reject with I/O errors. */
export interface RegistryStorage {
  /** Size and digest of a blob visible in `repository`, or undefined. */
  statBlob(repository: string, digest: Hash): Promise<BlobInfo | undefined>;
  /** The blob's bytes (optionally a byte range), or undefined when not visible in `repository`. */
  openBlob(repository: string, digest: Hash, range?: ByteRange, options?: OpenBlobOptions): Promise<Readable | undefined>;
  /** Makes a blob stored for any repository visible in `repository` (cross-repo mount). False if the blob does not exist. */
  linkBlob(repository: string, digest: Hash): Promise<boolean>;
  /** Makes a blob invisible in `repository`; false if it was not visible there. Content goes at gc. */
  unlinkBlob(repository: string, digest: Hash): Promise<boolean>;

  createUpload(repository: string): Promise<UploadInfo>;
  getUpload(repository: string, id: string): Promise<UploadInfo | undefined>;
  /**
   * Streams `data` onto the end of the upload, hashing as it goes; never holds the chunk in
   * memory (disk). Rejects with `UploadOffsetError` if `options.offset` is not the current size,
   * `UploadNotFoundError` for an unknown id, and leaves the upload as it was on any failure.
   */
  appendUpload(repository: string, id: string, data: Readable, options?: AppendOptions): Promise<UploadInfo>;
  /**
   * Verifies the upload's digest is `digest` and makes it a blob visible in `repository`.
   * Rejects with `DigestMismatchError` (the upload is then discarded) or `UploadNotFoundError`.
   */
  completeUpload(repository: string, id: string, digest: Hash): Promise<BlobInfo>;
  /** Discards an upload; false if unknown. */
  cancelUpload(repository: string, id: string): Promise<boolean>;

  /** A manifest by tag or by digest string, or undefined. */
  getManifest(repository: string, reference: string): Promise<StoredManifest | undefined>;
  /**
   * Whether the repository has a manifest under `digest`, without reading its bytes (a stat of
   * its links; a stored manifest that has since been corrupted still counts).
   */
  hasManifest(repository: string, digest: Hash): Promise<boolean>;
  /**
   * Stores manifest bytes under their digest (and `tag` if given, atomically moved to the new
   * digest). With `subject`, the manifest is recorded as a referrer of that digest, listed by
   * `listReferrers` as `referrer` (its descriptor, with artifactType and annotations). The HTTP
   * layer has already checked that what the manifest references exists.
   */
  putManifest(
    repository: string,
    manifest: StoredManifest,
    options?: { tag?: string; subject?: Hash; referrer?: Descriptor },
  ): Promise<void>;
  /** Deletes a manifest by digest, with the tags that point at it and its referrer entry; false if unknown. */
  deleteManifest(repository: string, digest: Hash): Promise<boolean>;
  /** Deletes a tag (the manifest stays); false if unknown. */
  deleteTag(repository: string, tag: string): Promise<boolean>;
  /** Tags of the repository, sorted (byte order); undefined if the repository does not exist. */
  listTags(repository: string): Promise<string[] | undefined>;
  /** Every repository with at least one manifest or blob, sorted. */
  listRepositories(): Promise<string[]>;
  /** Descriptors of the manifests in `repository` whose subject is `subject`. */
  listReferrers(repository: string, subject: Hash): Promise<Descriptor[]>;

  /**
   * Removes blobs no stored manifest references (config, layers, children; a manifest's own bytes
   * count as referenced while it exists) and, with `untagged`, manifests no tag reaches (directly
   * or through an index, or as a referrer of a reached manifest). Run with the server stopped.
   */
  gc(options?: GcOptions): Promise<GcReport>;
  /** Releases resources (open handles, timers). */
  close(): Promise<void>;
}
