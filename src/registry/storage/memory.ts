/**
 * @module The in-memory registry storage, for tests and throwaway servers: Maps of Buffers, with
 * the same visibility, upload and collection rules as the disk backend (the shared contract tests
 * hold both to them). Uploads are buffered here; that is what makes it unfit for real use.
 */
import { Readable } from 'node:stream';
import type { Hash as NodeHash } from 'node:crypto';
import { DigestMismatchError, UploadNotFoundError, UploadOffsetError } from '../../errors/index.ts';
import { KeyedLock } from '../../internal/keyed-lock/index.ts';
import type { Descriptor } from '../../v1/descriptor.ts';
import { Hash, hasher } from '../../v1/hash.ts';
import { compare, planGc, uploadCutoff, type GcRepository } from './gc-plan.ts';
import { defaultReferrer, manifestReferences } from './manifest-references.ts';
import { checkDigest, checkRange, checkRepository, checkTag, checkUploadId, newUploadId, parseReference } from './names.ts';
import { readChunks } from './read-chunks.ts';
import type { AppendOptions, BlobInfo, GcOptions, GcReport, RegistryStorage, StoredManifest, UploadInfo } from './types.ts';

interface MemoryRepository {
  readonly layers: Set<string>;
  readonly manifests: Map<string, { mediaType: string; subject?: string }>;
  readonly tags: Map<string, string>;
  /** subject digest → referrer digest → descriptor */
  readonly referrers: Map<string, Map<string, Descriptor>>;
}

interface MemoryUpload {
  readonly repository: string;
  readonly startedAt: Date;
  chunks: Buffer[];
  size: number;
  /** Running sha256 of what has been received, so completing needs no second pass. */
  hasher: NodeHash;
}

const CHUNK = 1024 * 1024;

/**
 * Creates an empty in-memory storage.
 *
 * @example
 * const storage = createMemoryStorage();
 * const upload = await storage.createUpload('library/alpine');
 */
export function createMemoryStorage(): RegistryStorage {
  const blobs = new Map<string, Buffer>();
  const repositories = new Map<string, MemoryRepository>();
  const uploads = new Map<string, MemoryUpload>();
  const uploadLock = new KeyedLock();

  const existing = (name: string) => repositories.get(checkRepository(name));
  const ensure = (name: string): MemoryRepository => {
    let repo = existing(name);
    if (!repo) {
      repo = { layers: new Set(), manifests: new Map(), tags: new Map(), referrers: new Map() };
      repositories.set(name, repo);
    }
    return repo;
  };
  const visible = (repository: string, digest: Hash): Buffer | undefined => {
    const key = checkDigest(digest).toString();
    return existing(repository)?.layers.has(key) ? blobs.get(key) : undefined;
  };
  const upload = (repository: string, id: string): MemoryUpload | undefined => {
    checkRepository(repository);
    const u = uploads.get(checkUploadId(id));
    return u?.repository === repository ? u : undefined;
  };
  const mustUpload = (repository: string, id: string): MemoryUpload => {
    const u = upload(repository, id);
    if (!u) throw new UploadNotFoundError(`upload ${id} not found in repository ${repository}`);
    return u;
  };
  const info = (id: string, u: MemoryUpload): UploadInfo => ({ id, repository: u.repository, size: u.size, startedAt: u.startedAt });

  const removeManifest = (repo: MemoryRepository, key: string): void => {
    const entry = repo.manifests.get(key);
    for (const [tag, target] of repo.tags) if (target === key) repo.tags.delete(tag);
    if (entry?.subject !== undefined) repo.referrers.get(entry.subject)?.delete(key);
    repo.manifests.delete(key);
  };

  return {
    async statBlob(repository, digest): Promise<BlobInfo | undefined> {
      const bytes = visible(repository, digest);
      return bytes && { digest, size: bytes.length };
    },

    async openBlob(repository, digest, range): Promise<Readable | undefined> {
      const bytes = visible(repository, digest);
      if (!bytes) return undefined;
      if (range) checkRange(range, bytes.length, digest);
      const part = range ? bytes.subarray(range.start, range.end + 1) : bytes;
      return Readable.from(
        (function* () {
          for (let i = 0; i < part.length; i += CHUNK) yield part.subarray(i, i + CHUNK);
        })(),
        { objectMode: false },
      );
    },

    async linkBlob(repository, digest): Promise<boolean> {
      const key = checkDigest(digest).toString();
      checkRepository(repository);
      if (!blobs.has(key)) return false;
      ensure(repository).layers.add(key);
      return true;
    },

    async unlinkBlob(repository, digest): Promise<boolean> {
      return existing(repository)?.layers.delete(checkDigest(digest).toString()) ?? false;
    },

    async createUpload(repository): Promise<UploadInfo> {
      checkRepository(repository);
      const id = newUploadId();
      const u: MemoryUpload = { repository, startedAt: new Date(), chunks: [], size: 0, hasher: hasher('sha256') };
      uploads.set(id, u);
      return info(id, u);
    },

    async getUpload(repository, id): Promise<UploadInfo | undefined> {
      const u = upload(repository, id);
      return u && info(id, u);
    },

    async appendUpload(repository, id, data, options: AppendOptions = {}): Promise<UploadInfo> {
      mustUpload(repository, id);
      return uploadLock.exclusive(id, async () => {
        const u = mustUpload(repository, id);
        if (options.offset !== undefined && options.offset !== u.size) {
          throw new UploadOffsetError(`upload ${id} is at byte ${u.size}, chunk starts at ${options.offset}`, u.size, options.offset);
        }
        // Received pieces join the upload only once the whole chunk has arrived.
        const pieces: Buffer[] = [];
        const h = u.hasher.copy();
        const n = await readChunks(data, { ...options, what: `chunk of upload ${id}` }, (chunk) => {
          pieces.push(Buffer.from(chunk));
          h.update(chunk);
        });
        for (const p of pieces) u.chunks.push(p);
        u.size += n;
        u.hasher = h;
        return info(id, u);
      });
    },

    async completeUpload(repository, id, digest): Promise<BlobInfo> {
      checkDigest(digest);
      mustUpload(repository, id);
      return uploadLock.exclusive(id, async () => {
        const u = mustUpload(repository, id);
        const bytes = Buffer.concat(u.chunks);
        const actual =
          digest.algorithm === 'sha256' ? new Hash('sha256', u.hasher.copy().digest('hex')) : Hash.of(bytes, digest.algorithm);
        uploads.delete(id);
        if (!actual.equals(digest)) {
          throw new DigestMismatchError(`upload ${id} to ${repository} has digest ${actual}, not ${digest}`, digest.toString(), actual.toString());
        }
        if (!blobs.has(digest.toString())) blobs.set(digest.toString(), bytes);
        ensure(repository).layers.add(digest.toString());
        return { digest, size: bytes.length };
      });
    },

    async cancelUpload(repository, id): Promise<boolean> {
      if (!upload(repository, id)) return false;
      return uploadLock.exclusive(id, async () => upload(repository, id) !== undefined && uploads.delete(id));
    },

    async getManifest(repository, reference): Promise<StoredManifest | undefined> {
      const ref = parseReference(reference);
      const repo = existing(repository);
      const key = 'tag' in ref ? repo?.tags.get(ref.tag) : ref.digest.toString();
      const entry = key === undefined ? undefined : repo?.manifests.get(key);
      const bytes = key === undefined ? undefined : blobs.get(key);
      if (!entry || !bytes || key === undefined) return undefined;
      return { bytes: Buffer.from(bytes), mediaType: entry.mediaType, digest: Hash.parse(key) };
    },

    async hasManifest(repository, digest): Promise<boolean> {
      const key = checkDigest(digest).toString();
      return (existing(repository)?.manifests.has(key) ?? false) && blobs.has(key);
    },

    async putManifest(repository, manifest, options = {}): Promise<void> {
      checkRepository(repository);
      const digest = checkDigest(manifest.digest);
      if (options.tag !== undefined) checkTag(options.tag);
      if (options.subject !== undefined) checkDigest(options.subject);
      const actual = Hash.of(manifest.bytes, digest.algorithm);
      if (!actual.equals(digest)) {
        throw new DigestMismatchError(`manifest pushed to ${repository} as ${digest} has digest ${actual}`, digest.toString(), actual.toString());
      }
      const key = digest.toString();
      if (!blobs.has(key)) blobs.set(key, Buffer.from(manifest.bytes));
      const repo = ensure(repository);
      const previous = repo.manifests.get(key)?.subject;
      if (previous !== undefined) repo.referrers.get(previous)?.delete(key);
      const subject = options.subject?.toString();
      repo.manifests.set(key, subject === undefined ? { mediaType: manifest.mediaType } : { mediaType: manifest.mediaType, subject });
      if (subject !== undefined) {
        const list = repo.referrers.get(subject) ?? new Map<string, Descriptor>();
        list.set(key, options.referrer ?? defaultReferrer(manifest.bytes, manifest.mediaType, digest));
        repo.referrers.set(subject, list);
      }
      if (options.tag !== undefined) repo.tags.set(options.tag, key);
    },

    async deleteManifest(repository, digest): Promise<boolean> {
      const repo = existing(repository);
      const key = checkDigest(digest).toString();
      if (!repo?.manifests.has(key)) return false;
      removeManifest(repo, key);
      return true;
    },

    async deleteTag(repository, tag): Promise<boolean> {
      checkTag(tag);
      return existing(repository)?.tags.delete(tag) ?? false;
    },

    async listTags(repository): Promise<string[] | undefined> {
      const repo = existing(repository);
      return repo && [...repo.tags.keys()].sort(compare);
    },

    async listRepositories(): Promise<string[]> {
      return [...repositories.keys()].sort(compare);
    },

    async listReferrers(repository, subject): Promise<Descriptor[]> {
      const list = existing(repository)?.referrers.get(checkDigest(subject).toString());
      return list ? [...list.entries()].sort(([a], [b]) => compare(a, b)).map(([, d]) => d) : [];
    },

    async gc(options: GcOptions = {}): Promise<GcReport> {
      const cutoff = uploadCutoff(options);
      const model: GcRepository[] = [...repositories].map(([name, repo]) => ({
        name,
        tags: repo.tags.values(),
        manifests: new Map(
          [...repo.manifests].map(([digest, entry]) => {
            const refs = manifestReferences(blobs.get(digest) ?? Buffer.alloc(0));
            return [digest, entry.subject === undefined || refs.subject !== undefined ? refs : { ...refs, subject: entry.subject }];
          }),
        ),
      }));
      const plan = planGc(model, options);
      const swept = [...blobs.keys()].filter((d) => !plan.referenced.has(d)).sort(compare);
      const stale = [...uploads].filter(([, u]) => cutoff !== undefined && u.startedAt.getTime() < cutoff);
      let bytes = 0;
      for (const d of swept) bytes += blobs.get(d)?.length ?? 0;
      for (const [, u] of stale) bytes += u.size;
      if (!options.dryRun) {
        for (const m of plan.manifests) {
          const repo = repositories.get(m.repository);
          if (repo) removeManifest(repo, m.digest);
        }
        for (const d of swept) blobs.delete(d);
        for (const repo of repositories.values()) for (const d of repo.layers) if (!blobs.has(d)) repo.layers.delete(d);
        for (const [id] of stale) uploads.delete(id);
      }
      return {
        blobs: swept,
        manifests: plan.manifests.map((m) => `${m.repository}@${m.digest}`),
        uploads: stale.map(([id, u]) => `${u.repository}/_uploads/${id}`).sort(compare),
        bytes,
      };
    },

    async close(): Promise<void> {},
  };
}
