/**
 * @module `LayoutPath`, an OCI image layout folder (ggcr's `layout.Path`): read its index and
 * blobs, write images and indexes into it, change index.json by appending, replacing and
 * removing entries, and collect unreferenced blobs. Blobs land atomically and verified; index.json
 * updates are serialised per folder within the process.
 */
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Hash } from '../v1/hash.ts';
import { NotFoundError } from '../errors/index.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Image, ImageIndex } from '../v1/interfaces.ts';
import type { IndexManifest } from '../v1/manifest.ts';
import type { Matcher } from '../match/index.ts';
import { descriptor as describe } from '../partial/describe.ts';
import type { FileSource } from '../internal/archive/file-source.ts';
import { dirSource } from '../internal/archive/dir-source.ts';
import { safeJoin } from '../internal/tar/index.ts';
import { SIZE_UNKNOWN } from '../internal/verify/index.ts';
import { writeFileAtomic } from '../internal/atomic-file/index.ts';
import { blobPath, writeBlobFile } from './blob-writer.ts';
import { unreferencedBlobs } from './gc.ts';
import { LAYOUT_FILE, updateIndexJson } from './index-json.ts';
import {
  applyDescriptorOptions,
  resolveJobs,
  type AppendOptions,
  type GarbageCollectOptions,
  type LayoutReadOptions,
  type LayoutWriteOptions,
} from './options.ts';
import { withBlobsQuiet, withBlobWrites, withIndexJson } from './path-lock.ts';
import { openBlob, readBlobBytes, type SourceContext } from './source-blobs.ts';
import { rootIndex, type LayoutIndex } from './source-index.ts';
import { treeWrite, writeImageTree, writeIndexTree, type TreeWrite } from './tree-writer.ts';

/** Options of `blob`: the expected size, when known, is checked too. */
export interface BlobReadOptions extends LayoutReadOptions {
  readonly size?: number;
}

/** Options of `bytes`: a cap (default 100 MiB, MANIFEST_LIMIT). */
export interface BytesReadOptions extends LayoutReadOptions {
  readonly limit?: number;
}

/** Options of `writeBlob`: the expected size, checked as it is written and used to reuse a present blob. */
export interface BlobWriteOptions {
  readonly signal?: AbortSignal;
  readonly size?: number;
}

const withSignal = (signal: AbortSignal | undefined) => (signal ? { signal } : {});

/**
 * An OCI image layout folder. Constructing does no I/O (the folder need not exist yet); use
 * `fromPath` to open one that must exist, `write` to create one.
 *
 * @example
 * const lp = await layout.write('/tmp/oci', empty.index());
 * await lp.appendImage(img, { annotations: { 'org.opencontainers.image.ref.name': 'latest' } });
 */
export class LayoutPath {
  /** The folder, as given. */
  readonly path: string;
  readonly #source: FileSource;

  constructor(path: string) {
    this.path = path;
    this.#source = dirSource(path);
  }

  toString(): string {
    return this.path;
  }

  #ctx(signal: AbortSignal | undefined): SourceContext {
    return { source: this.#source, signal };
  }

  #tree(options: LayoutWriteOptions): TreeWrite {
    return treeWrite(this.path, { jobs: resolveJobs(options.jobs), signal: options.signal, onProgress: options.onProgress });
  }

  // ---- reading ----

  /** The view of index.json (its children are found by digest; every blob read is verified). */
  imageIndex(options: LayoutReadOptions = {}): Promise<LayoutIndex> {
    // A folder needs no oci-layout (ggcr's FromPath), unlike an archive read by fromFileSource.
    return rootIndex({ source: this.#source, signal: options.signal });
  }

  /** The image index.json names with digest `h`; without `h`, its only entry. */
  async image(h?: Hash, options: LayoutReadOptions = {}): Promise<Image> {
    return (await this.imageIndex(options)).image(h);
  }

  /**
   * Streams blob `h`, verified for digest (and `size` when given) as it streams. Links out of the
   * folder and anything but a regular file are refused (UnsafePathError, NotFoundError).
   */
  blob(h: Hash, options: BlobReadOptions = {}): Promise<Readable> {
    return openBlob(this.#ctx(options.signal), h, options.size ?? SIZE_UNKNOWN, options.signal);
  }

  /** Blob `h` whole, capped and verified. */
  bytes(h: Hash, options: BytesReadOptions = {}): Promise<Buffer> {
    return readBlobBytes(this.#ctx(options.signal), h, options);
  }

  // ---- writing blobs ----

  /** Writes an image's layers, config and manifest; index.json is left alone (see `appendImage`). */
  writeImage(img: Image, options: LayoutWriteOptions = {}): Promise<void> {
    const w = this.#tree(options);
    return withBlobWrites(this.path, () => writeImageTree(w, img));
  }

  /** Writes an index and everything under it, plus `oci-layout`; index.json is left alone. */
  writeIndex(idx: ImageIndex, options: LayoutWriteOptions = {}): Promise<void> {
    const w = this.#tree(options);
    return withBlobWrites(this.path, async () => {
      await this.#writeLayoutFile(options.signal);
      await writeIndexTree(w, idx);
    });
  }

  /**
   * Writes `stream` as blob `h` (verified; atomic). When a regular file of `size` bytes (of any
   * size if `size` is not given) is already there, the stream is closed unread.
   */
  async writeBlob(h: Hash, stream: Readable, options: BlobWriteOptions = {}): Promise<void> {
    const outcome = await withBlobWrites(this.path, () =>
      writeBlobFile(this.path, h, options.size ?? SIZE_UNKNOWN, async () => stream, withSignal(options.signal)),
    );
    if (outcome === 'present') stream.destroy();
  }

  /**
   * Writes `data` to `name` inside the layout, atomically. Not for blobs (use `writeBlob`).
   * Names that climb out of the folder are refused.
   */
  async writeFile(name: string, data: Uint8Array | string, options: LayoutReadOptions = {}): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const target = safeJoin(this.path, name);
    // Under the index.json lock: a caller rewriting index.json must not interleave with an append.
    await withIndexJson(this.path, () => writeFileAtomic(target, bytes, withSignal(options.signal)));
  }

  /** Deletes blob `h`; references to it are left as they are. A missing blob is fine. */
  async removeBlob(h: Hash): Promise<void> {
    try {
      await unlink(blobPath(this.path, h));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  #writeLayoutFile(signal: AbortSignal | undefined): Promise<void> {
    return writeFileAtomic(join(this.path, 'oci-layout'), LAYOUT_FILE, { signal });
  }

  // ---- index.json ----

  #updateIndex(change: (m: IndexManifest) => IndexManifest, signal: AbortSignal | undefined): Promise<void> {
    return withIndexJson(this.path, () => updateIndexJson(this.path, this.#source, change, signal));
  }

  /** Adds `desc` to index.json. */
  appendDescriptor(desc: Descriptor, options: LayoutReadOptions = {}): Promise<void> {
    return this.#updateIndex((m) => ({ ...m, manifests: [...m.manifests, desc] }), options.signal);
  }

  /** Writes the image and adds its descriptor (with the options' annotations, urls, platform) to index.json. */
  appendImage(img: Image, options: AppendOptions = {}): Promise<void> {
    return this.#put(img, (w) => writeImageTree(w, img), undefined, options);
  }

  /** Writes the index tree and adds its descriptor to index.json. */
  appendIndex(idx: ImageIndex, options: AppendOptions = {}): Promise<void> {
    return this.#put(idx, (w) => this.#writeLayoutFile(options.signal).then(() => writeIndexTree(w, idx)), undefined, options);
  }

  /** Writes the image and puts its descriptor in index.json in place of every entry `matcher` matches. */
  replaceImage(img: Image, matcher: Matcher, options: AppendOptions = {}): Promise<void> {
    return this.#put(img, (w) => writeImageTree(w, img), matcher, options);
  }

  /** Writes the index tree and puts its descriptor in index.json in place of every entry `matcher` matches. */
  replaceIndex(idx: ImageIndex, matcher: Matcher, options: AppendOptions = {}): Promise<void> {
    return this.#put(idx, (w) => this.#writeLayoutFile(options.signal).then(() => writeIndexTree(w, idx)), matcher, options);
  }

  /** Removes from index.json every entry `matcher` matches; blobs stay until `garbageCollect`. */
  removeDescriptors(matcher: Matcher, options: LayoutReadOptions = {}): Promise<void> {
    return this.#updateIndex((m) => ({ ...m, manifests: m.manifests.filter((d) => !matcher(d)) }), options.signal);
  }

  async #put(
    x: Image | ImageIndex,
    writeTree: (w: TreeWrite) => Promise<void>,
    matcher: Matcher | undefined,
    options: AppendOptions,
  ): Promise<void> {
    const w = this.#tree(options);
    await withBlobWrites(this.path, async () => {
      await writeTree(w);
      const desc = applyDescriptorOptions(await describe(x), options);
      await this.#updateIndex(
        (m) => ({ ...m, manifests: [...(matcher ? m.manifests.filter((d) => !matcher(d)) : m.manifests), desc] }),
        options.signal,
      );
    });
  }

  // ---- garbage collection ----

  /**
   * Returns the blobs nothing reachable from index.json names and, unless `dryRun`, deletes them
   * (ggcr's `GarbageCollect` only lists; crane's `layout gc` then deletes). Runs while no write
   * of this process is putting blobs into the folder.
   */
  garbageCollect(options: GarbageCollectOptions = {}): Promise<Hash[]> {
    return withBlobsQuiet(this.path, () =>
      withIndexJson(this.path, async () => {
        const idx = await this.imageIndex(withSignal(options.signal));
        const entries = (await idx.indexManifest()).manifests;
        const unused = await unreferencedBlobs(this.path, this.#ctx(options.signal), entries, await idx.digest());
        if (!options.dryRun) for (const h of unused) await this.removeBlob(h);
        return unused;
      }),
    );
  }
}

/**
 * Opens the layout at `dir`, which must have an index.json (NotFoundError otherwise).
 *
 * @example
 * const lp = await layout.fromPath('./oci');
 * for (const d of (await (await lp.imageIndex()).indexManifest()).manifests) console.log(String(d.digest));
 */
export async function fromPath(dir: string, options: LayoutReadOptions = {}): Promise<LayoutPath> {
  if (!(await dirSource(dir).stat('index.json', withSignal(options.signal)))) {
    throw new NotFoundError(`${dir} is not an OCI image layout: it has no index.json`);
  }
  return new LayoutPath(dir);
}

/**
 * The index of the layout at `dir` (ggcr's `ImageIndexFromPath`).
 *
 * @example
 * const img = await (await layout.imageIndexFromPath('./oci')).image(); // the only entry
 */
export async function imageIndexFromPath(dir: string, options: LayoutReadOptions = {}): Promise<LayoutIndex> {
  return (await fromPath(dir, options)).imageIndex(options);
}
