/**
 * @module Upload sessions of the disk backend. Each chunk streams onto `_uploads/<id>/data` and
 * through a running sha256 kept in memory between chunks, so completing an upload needs no second
 * read; a chunk that fails half-way is cut off again, so the upload stays resumable. After a
 * restart the running hash is rebuilt from the data file on first use.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { randomUUID, type Hash as NodeHash } from 'node:crypto';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { DigestMismatchError, UploadNotFoundError, UploadOffsetError } from '../../errors/index.ts';
import { KeyedLock } from '../../internal/keyed-lock/index.ts';
import { Hash, hasher, type HashAlgorithm } from '../../v1/hash.ts';
import { exists, isMissing, listDirectory, renameInto, writeFileAtomic, type Durability } from './disk-files.ts';
import type { DiskLayout } from './disk-layout.ts';
import { EarlyWriteback } from './early-writeback.ts';
import { checkDigest, checkRepository, isUploadId, newUploadId } from './names.ts';
import { readChunks } from './read-chunks.ts';
import type { AppendOptions, BlobInfo, UploadInfo } from './types.ts';

/** The running hash of an upload and the byte count it covers. */
interface RunningHash {
  readonly hasher: NodeHash;
  readonly size: number;
}

const READ_CHUNK = 1024 * 1024;

/** The upload half of the disk backend. */
export class DiskUploads {
  readonly #layout: DiskLayout;
  readonly #durability: Durability;
  readonly #lock = new KeyedLock();
  readonly #running = new Map<string, RunningHash>();
  /** Background syncs still running (early writeback), awaited by `close`. */
  readonly #syncs = new Set<Promise<void>>();

  constructor(layout: DiskLayout, durability: Durability) {
    this.#layout = layout;
    this.#durability = durability;
  }

  /** Starts an upload: its directory appears complete (empty data, start time) or not at all. */
  async create(repository: string): Promise<UploadInfo> {
    checkRepository(repository);
    const id = newUploadId();
    const dir = this.#layout.upload(repository, id);
    const staging = this.#layout.temp(`upload-${id}`);
    const startedAt = new Date();
    await mkdir(staging);
    try {
      await writeNew(join(staging, 'data'), '', this.#durability);
      await writeNew(join(staging, 'startedat'), startedAt.toISOString(), this.#durability);
      await renameInto(staging, dir, this.#durability);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
    this.#running.set(key(repository, id), { hasher: hasher('sha256'), size: 0 });
    return { id, repository, size: 0, startedAt };
  }

  /** The upload's state, or undefined when there is no such upload in `repository`. */
  async get(repository: string, id: string): Promise<UploadInfo | undefined> {
    const dir = this.#layout.upload(repository, id);
    let size: number;
    try {
      size = (await stat(join(dir, 'data'))).size;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    // While a chunk is being written the file runs ahead of what has been accepted.
    size = this.#running.get(key(repository, id))?.size ?? size;
    return { id, repository, size, startedAt: await startedAt(dir) };
  }

  /** Appends one chunk; see `RegistryStorage.appendUpload`. */
  async append(repository: string, id: string, data: Readable, options: AppendOptions = {}): Promise<UploadInfo> {
    const dir = this.#layout.upload(repository, id);
    const k = key(repository, id);
    return this.#lock.exclusive(k, async () => {
      const handle = await openUpload(join(dir, 'data'), 'r+', repository, id);
      try {
        const running = await this.#reconcile(k, handle, join(dir, 'data'));
        if (options.offset !== undefined && options.offset !== running.size) {
          const message = `upload ${id} in ${repository} is at byte ${running.size}, chunk starts at ${options.offset}`;
          throw new UploadOffsetError(message, running.size, options.offset);
        }
        const h = running.hasher.copy();
        let position = running.size;
        // Socket reads arrive in 16–64 KiB pieces; one write per piece is a thread-pool round trip
        // each. Pieces are gathered up to WRITE_BATCH and written with one writev, and the next
        // batch fills while the previous one is written (at most two batches in memory), so the
        // socket and the disk work at the same time.
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        let inflight: Promise<void> | undefined;
        const writeback = this.#durability.fsync ? new EarlyWriteback(join(dir, 'data'), this.#syncs) : undefined;
        const flush = async () => {
          if (inflight) await inflight;
          inflight = undefined;
          if (pendingBytes === 0) return;
          const batch = pending;
          const bytes = pendingBytes;
          const at = position;
          pending = [];
          pendingBytes = 0;
          position += bytes;
          inflight = writeAll(handle, batch, bytes, at);
          if (writeback) inflight = inflight.then(() => writeback.written(bytes));
        };
        try {
          try {
            await readChunks(data, { length: options.length, signal: options.signal, what: `chunk of upload ${id}` }, async (chunk) => {
              h.update(chunk);
              pending.push(chunk);
              pendingBytes += chunk.length;
              if (pendingBytes >= WRITE_BATCH) await flush();
            });
            await flush();
          } finally {
            // Never leave a write running against a handle that is about to be truncated or closed.
            await inflight?.catch(() => {});
          }
          await inflight;
        } catch (err) {
          await handle.truncate(running.size);
          throw err;
        }
        this.#running.set(k, { hasher: h, size: position });
        return { id, repository, size: position, startedAt: await startedAt(dir) };
      } finally {
        await handle.close();
      }
    });
  }

  /**
   * Verifies the upload and makes it the blob `digest`: the data file, flushed, is renamed into
   * `blobs/` (or dropped when the blob is already there), then linked into `repository`.
   */
  async complete(repository: string, id: string, digest: Hash): Promise<BlobInfo> {
    checkDigest(digest);
    const dir = this.#layout.upload(repository, id);
    const k = key(repository, id);
    return this.#lock.exclusive(k, async () => {
      const dataPath = join(dir, 'data');
      const handle = await openUpload(dataPath, 'r+', repository, id);
      let size: number;
      let actual: string;
      try {
        const running = await this.#reconcile(k, handle, dataPath);
        size = running.size;
        actual =
          digest.algorithm === 'sha256'
            ? `sha256:${running.hasher.copy().digest('hex')}`
            : (await hashFile(dataPath, digest.algorithm)).digest.toString();
        if (actual === digest.toString() && this.#durability.fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      if (actual !== digest.toString()) {
        await this.#discard(dir, k);
        throw new DigestMismatchError(`upload ${id} to ${repository} has digest ${actual}, not ${digest}`, digest.toString(), actual);
      }
      const blob = this.#layout.blob(digest);
      if (!(await exists(blob))) await renameInto(dataPath, blob, this.#durability);
      const link = this.#layout.layerLink(repository, digest);
      if (!(await exists(link))) await writeFileAtomic(this.#layout, link, digest.toString(), this.#durability);
      await this.#discard(dir, k);
      return { digest, size };
    });
  }

  /** Discards an upload; false when there is none. */
  async cancel(repository: string, id: string): Promise<boolean> {
    const dir = this.#layout.upload(repository, id);
    const k = key(repository, id);
    return this.#lock.exclusive(k, async () => {
      if (!(await exists(dir))) return false;
      await this.#discard(dir, k);
      return true;
    });
  }

  /** Uploads of `repository` started before `cutoff` (ms since the epoch), with their sizes. */
  async startedBefore(repository: string, cutoff: number): Promise<{ id: string; size: number }[]> {
    const found: { id: string; size: number }[] = [];
    for (const id of await listDirectory(this.#layout.uploads(repository))) {
      if (!isUploadId(id)) continue;
      const info = await this.get(repository, id);
      // No data file: a crash came part-way through completing, the data already moved on.
      if (info === undefined) found.push({ id, size: 0 });
      else if (info.startedAt.getTime() < cutoff) found.push({ id, size: info.size });
    }
    return found;
  }

  /** Forgets running hashes (they are rebuilt from the files if the storage is used again). */
  async close(): Promise<void> {
    await Promise.all(this.#syncs);
    this.#running.clear();
  }

  /**
   * The running hash of an upload, made to agree with its data file. A file longer than the hash
   * holds the tail of a chunk whose cut-off failed: cut again. Without a hash (a restart) or with a
   * file shorter than it (changed behind our back), the file is the truth and is hashed again.
   */
  async #reconcile(k: string, handle: FileHandle, path: string): Promise<RunningHash> {
    const { size } = await handle.stat();
    let running = this.#running.get(k);
    if (running !== undefined && size > running.size) {
      await handle.truncate(running.size);
    } else if (running?.size !== size) {
      running = await hashFile(path, 'sha256');
      this.#running.set(k, running);
    }
    return running;
  }

  /** Removes an upload at once (a rename out of sight), then its files. */
  async #discard(dir: string, k: string): Promise<void> {
    this.#running.delete(k);
    const trash = this.#layout.temp(`trash-${randomUUID()}`);
    try {
      await rename(dir, trash);
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    await rm(trash, { recursive: true, force: true });
  }
}

function key(repository: string, id: string): string {
  return `${repository}\n${id}`;
}

async function openUpload(path: string, flags: string, repository: string, id: string): Promise<FileHandle> {
  try {
    return await open(path, flags);
  } catch (err) {
    if (isMissing(err)) throw new UploadNotFoundError(`upload ${id} not found in repository ${repository}`, { cause: err });
    throw err;
  }
}

async function writeNew(path: string, text: string, durability: Durability): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(text);
    if (durability.fsync) await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Bytes gathered before one writev: large enough to amortise the call, small enough not to matter. */
const WRITE_BATCH = 1024 * 1024;

async function writeAll(handle: FileHandle, chunks: Buffer[], total: number, position: number): Promise<void> {
  const { bytesWritten } = await handle.writev(chunks, position);
  if (bytesWritten === total) return;
  // A short writev (rare: signals, full disks) finishes with plain writes of what is left.
  await writeFully(handle, Buffer.concat(chunks).subarray(bytesWritten), position + bytesWritten);
}

async function writeFully(handle: FileHandle, chunk: Buffer, position: number): Promise<void> {
  for (let done = 0; done < chunk.length; ) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position + done);
    done += bytesWritten;
  }
}

async function hashFile(path: string, algorithm: HashAlgorithm): Promise<RunningHash & { digest: Hash }> {
  const h = hasher(algorithm);
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) {
    h.update(chunk);
    size += chunk.length;
  }
  return { hasher: h, size, digest: new Hash(algorithm, h.copy().digest('hex')) };
}

async function startedAt(dir: string): Promise<Date> {
  try {
    const when = new Date((await readFile(join(dir, 'startedat'), 'utf8')).trim());
    if (!Number.isNaN(when.getTime())) return when;
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  return (await stat(dir)).mtime;
}
