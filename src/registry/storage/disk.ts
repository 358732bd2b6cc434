/**
 * @module The disk registry storage, the default of `crane registry serve`: everything persisted
 * under one root in the distribution registry's layout (see `disk-layout.ts`), uploads streamed to
 * files, and every file made visible by a rename of a complete, flushed temp file, so a crash
 * (even `kill -9`) at any moment leaves no half-written blob, manifest, tag or link visible.
 */
import { mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DigestMismatchError } from '../../errors/index.ts';
import { marshalDescriptor } from '../../internal/gojson/index.ts';
import { KeyedLock } from '../../internal/keyed-lock/index.ts';
import type { Descriptor } from '../../v1/descriptor.ts';
import { Hash } from '../../v1/hash.ts';
import { parseDescriptor } from '../../v1/manifest.ts';
import { exists, isMissing, listDirectory, readIfExists, removeIfExists, writeFileAtomic, type Durability } from './disk-files.ts';
import { collectGarbage, revisionIdentity } from './disk-gc.ts';
import { DiskLayout } from './disk-layout.ts';
import { encodeRevision, readRevision } from './disk-revision.ts';
import { DiskUploads } from './disk-uploads.ts';
import { findRepositories } from './disk-walk.ts';
import { compare } from './gc-plan.ts';
import { defaultReferrer } from './manifest-references.ts';
import { checkRange, isTag, parseReference } from './names.ts';
import type { AppendOptions, BlobInfo, ByteRange, GcOptions, GcReport, OpenBlobOptions, RegistryStorage, StoredManifest, UploadInfo } from './types.ts';

/** Options of {@link createDiskStorage}. */
export interface DiskStorageOptions {
  /**
   * Flush every file and directory entry before making something depend on it. Default true:
   * without it a power cut (not a process crash) can leave a tag naming a manifest that never
   * reached the disk. Turn off only for throwaway roots, e.g. in tests.
   */
  readonly fsync?: boolean;
}

/**
 * Blobs are served in 256 KiB pieces: four times Node's default (fewer syscalls) but small enough
 * that a dozen concurrent downloads, each with a piece in flight and one queued, stay well inside
 * the server's memory budget (1 MiB pieces cost ~20 MiB more peak RSS under skopeo, no speed).
 */
const READ_CHUNK = 256 * 1024;

/**
 * Temp files older than this are left by a crash and removed when a storage opens. Younger ones
 * may belong to another process writing to the same root right now.
 */
const STALE_TEMP_MS = 60 * 60 * 1000;

const referrerEntry = /^(sha256|sha512)-([0-9a-f]+)\.json$/;

/**
 * Opens (creating if needed) a disk storage rooted at `root`.
 *
 * @example
 * const storage = await createDiskStorage('/var/lib/registry');
 * const tags = await storage.listTags('library/alpine');
 */
export async function createDiskStorage(root: string, options: DiskStorageOptions = {}): Promise<RegistryStorage> {
  const layout = new DiskLayout(root);
  for (const dir of [layout.blobs, layout.repositories, layout.tmp]) await mkdir(dir, { recursive: true });
  await removeStaleTemp(layout);
  return new DiskStorage(layout, { fsync: options.fsync ?? true });
}

class DiskStorage implements RegistryStorage {
  readonly #layout: DiskLayout;
  readonly #durability: Durability;
  readonly #uploads: DiskUploads;
  /** Tag and manifest changes of one repository, one at a time (a delete must not miss a moving tag). */
  readonly #repositoryLock = new KeyedLock();

  constructor(layout: DiskLayout, durability: Durability) {
    this.#layout = layout;
    this.#durability = durability;
    this.#uploads = new DiskUploads(layout, durability);
  }

  async statBlob(repository: string, digest: Hash): Promise<BlobInfo | undefined> {
    if (!(await exists(this.#layout.layerLink(repository, digest)))) return undefined;
    try {
      return { digest, size: (await stat(this.#layout.blob(digest))).size };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async openBlob(repository: string, digest: Hash, range?: ByteRange, options: OpenBlobOptions = {}): Promise<Readable | undefined> {
    // Built even when the check is skipped: building the path is what refuses a hostile name.
    const link = this.#layout.layerLink(repository, digest);
    const known = options.stat?.digest.equals(digest) ? options.stat : undefined;
    if (known === undefined && !(await exists(link))) return undefined;
    let handle;
    try {
      handle = await open(this.#layout.blob(digest), 'r');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    try {
      if (range) checkRange(range, known?.size ?? (await handle.stat()).size, digest);
    } catch (err) {
      await handle.close();
      throw err;
    }
    // Reading through the open handle, a collection that removes the file cannot cut the read short.
    return handle.createReadStream(
      range ? { start: range.start, end: range.end, highWaterMark: READ_CHUNK } : { highWaterMark: READ_CHUNK },
    );
  }

  async linkBlob(repository: string, digest: Hash): Promise<boolean> {
    const link = this.#layout.layerLink(repository, digest);
    if (!(await exists(this.#layout.blob(digest)))) return false;
    if (!(await exists(link))) await writeFileAtomic(this.#layout, link, digest.toString(), this.#durability);
    return true;
  }

  async unlinkBlob(repository: string, digest: Hash): Promise<boolean> {
    return removeIfExists(this.#layout.layerLink(repository, digest));
  }

  createUpload(repository: string): Promise<UploadInfo> {
    return this.#uploads.create(repository);
  }

  getUpload(repository: string, id: string): Promise<UploadInfo | undefined> {
    return this.#uploads.get(repository, id);
  }

  appendUpload(repository: string, id: string, data: Readable, options?: AppendOptions): Promise<UploadInfo> {
    return this.#uploads.append(repository, id, data, options);
  }

  completeUpload(repository: string, id: string, digest: Hash): Promise<BlobInfo> {
    return this.#uploads.complete(repository, id, digest);
  }

  cancelUpload(repository: string, id: string): Promise<boolean> {
    return this.#uploads.cancel(repository, id);
  }

  async getManifest(repository: string, reference: string): Promise<StoredManifest | undefined> {
    const ref = parseReference(reference);
    let digest: Hash;
    if ('tag' in ref) {
      const target = await readIfExists(this.#layout.tag(repository, ref.tag));
      if (target === undefined) return undefined;
      digest = Hash.parse(target.toString('utf8').trim());
    } else {
      digest = ref.digest;
    }
    const revision = await readRevision(this.#layout.revision(repository, digest));
    if (revision === undefined) return undefined;
    const bytes = await readIfExists(this.#layout.blob(digest));
    return bytes && { bytes, mediaType: revision.mediaType, digest };
  }

  async hasManifest(repository: string, digest: Hash): Promise<boolean> {
    return (await exists(this.#layout.revision(repository, digest))) && exists(this.#layout.blob(digest));
  }

  async putManifest(
    repository: string,
    manifest: StoredManifest,
    options: { tag?: string; subject?: Hash; referrer?: Descriptor } = {},
  ): Promise<void> {
    const { digest, bytes, mediaType } = manifest;
    const layout = this.#layout;
    const blob = layout.blob(digest);
    const revisionPath = layout.revision(repository, digest);
    const tagPath = options.tag === undefined ? undefined : layout.tag(repository, options.tag);
    const referrerPath = options.subject && layout.referrer(repository, options.subject, digest);
    const actual = Hash.of(bytes, digest.algorithm);
    if (!actual.equals(digest)) {
      throw new DigestMismatchError(`manifest pushed to ${repository} as ${digest} has digest ${actual}`, digest.toString(), actual.toString());
    }
    await this.#repositoryLock.exclusive(repository, async () => {
      // Order matters for a crash: content, then the links that make it visible, the tag last,
      // so nothing ever names what is not yet complete.
      if (!(await exists(blob))) await writeFileAtomic(layout, blob, bytes, this.#durability);
      const previous = await readRevision(revisionPath);
      if (previous?.subject !== undefined && previous.subject !== options.subject?.toString()) {
        await removeIfExists(layout.referrer(repository, Hash.parse(previous.subject), digest));
      }
      const subject = options.subject?.toString();
      const record = subject === undefined ? { digest: digest.toString(), mediaType } : { digest: digest.toString(), mediaType, subject };
      await writeFileAtomic(layout, revisionPath, encodeRevision(record), this.#durability);
      if (referrerPath !== undefined) {
        const descriptor = options.referrer ?? defaultReferrer(bytes, mediaType, digest);
        await writeFileAtomic(layout, referrerPath, marshalDescriptor(descriptor, { unknownFields: 'keep' }), this.#durability);
      }
      if (tagPath !== undefined) await writeFileAtomic(layout, tagPath, digest.toString(), this.#durability);
    });
  }

  deleteManifest(repository: string, digest: Hash): Promise<boolean> {
    return this.#deleteManifest(repository, digest, undefined);
  }

  /**
   * Deletes a manifest with its referrer entry and every tag naming it, read under the lock. gc,
   * which read every tag once already and found none naming it, passes the revision file's
   * identity as it was then: while that is unchanged, no tag can have come to name it since.
   */
  async #deleteManifest(repository: string, digest: Hash, untaggedAt: string | undefined): Promise<boolean> {
    const revisionPath = this.#layout.revision(repository, digest);
    return this.#repositoryLock.exclusive(repository, async () => {
      const unchanged = untaggedAt !== undefined && (await revisionIdentity(revisionPath)) === untaggedAt;
      const revision = await readRevision(revisionPath);
      if (revision === undefined) return false;
      const tags = unchanged ? [] : (await listDirectory(this.#layout.tags(repository))).filter((t) => isTag(t));
      // Tags first and the revision last: a crash part-way leaves a manifest still deletable,
      // never a tag naming a manifest that is gone.
      for (const tag of tags) {
        const path = this.#layout.tag(repository, tag);
        if ((await readIfExists(path))?.toString('utf8').trim() === digest.toString()) await removeIfExists(path);
      }
      if (revision.subject !== undefined) {
        await removeIfExists(this.#layout.referrer(repository, Hash.parse(revision.subject), digest));
      }
      await removeIfExists(revisionPath);
      return true;
    });
  }

  async deleteTag(repository: string, tag: string): Promise<boolean> {
    const path = this.#layout.tag(repository, tag);
    return this.#repositoryLock.exclusive(repository, () => removeIfExists(path));
  }

  async listTags(repository: string): Promise<string[] | undefined> {
    const dir = this.#layout.repository(repository);
    if (!(await exists(join(dir, '_manifests'))) && !(await exists(join(dir, '_layers')))) return undefined;
    return (await listDirectory(this.#layout.tags(repository))).filter((t) => isTag(t)).sort(compare);
  }

  listRepositories(): Promise<string[]> {
    return findRepositories(this.#layout, ['_manifests', '_layers']);
  }

  async listReferrers(repository: string, subject: Hash): Promise<Descriptor[]> {
    const dir = this.#layout.referrers(repository, subject);
    const found: Descriptor[] = [];
    for (const name of (await listDirectory(dir)).sort(compare)) {
      const m = referrerEntry.exec(name);
      if (!m || !Hash.isValid(`${m[1]}:${m[2]}`)) continue;
      const raw = await readIfExists(join(dir, name));
      if (raw !== undefined) found.push(parseDescriptor(raw));
    }
    return found;
  }

  gc(options: GcOptions = {}): Promise<GcReport> {
    return collectGarbage(
      {
        layout: this.#layout,
        durability: this.#durability,
        uploads: this.#uploads,
        deleteManifest: (r, d, revision) => this.#deleteManifest(r, d, revision),
      },
      options,
    );
  }

  async close(): Promise<void> {
    await this.#uploads.close();
  }
}

/** Removes what crashed writers left in `tmp/`, once it is old enough to be surely abandoned. */
async function removeStaleTemp(layout: DiskLayout): Promise<void> {
  const cutoff = Date.now() - STALE_TEMP_MS;
  for (const name of await readdir(layout.tmp)) {
    const path = join(layout.tmp, name);
    try {
      if ((await stat(path)).mtimeMs < cutoff) await rm(path, { recursive: true, force: true });
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }
}
