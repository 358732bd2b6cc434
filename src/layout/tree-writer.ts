/**
 * @module Writing images and index trees into a layout's `blobs/` (ggcr's `WriteImage`,
 * `WriteIndex`): layers `jobs` at a time and streamed, then the config, then the manifest, so a
 * manifest never lands before what it names; children of an index depth first, one at a time;
 * children of unknown media types copied as blobs.
 */
import { Readable } from 'node:stream';
import * as types from '../types/index.ts';
import { NotComputedError, NotFoundError } from '../errors/index.ts';
import type { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Image, ImageIndex, Layer, StreamOptions } from '../v1/interfaces.ts';
import type { ProgressCallback } from '../v1/progress.ts';
import { mapLimit } from '../internal/limiter/index.ts';
import { TransferProgress } from '../internal/progress/index.ts';
import { blobPresent, writeBlobFile, writeUnnamedBlob } from './blob-writer.ts';
import { inlineData } from './source-blobs.ts';

/** An index that can hand out any of its blobs (ggcr's `withBlob`), as a layout index can. */
export interface WithBlob {
  blob(h: Hash, options?: StreamOptions): Promise<Readable>;
}

function hasBlob(x: object): x is WithBlob {
  return typeof (x as Partial<WithBlob>).blob === 'function';
}

/** One write into a layout folder. */
export interface TreeWrite {
  readonly root: string;
  readonly jobs: number;
  readonly signal?: AbortSignal | undefined;
  readonly progress: TransferProgress;
}

/** Starts a write into `root`. */
export function treeWrite(root: string, options: { jobs: number; signal?: AbortSignal | undefined; onProgress?: ProgressCallback | undefined }): TreeWrite {
  return { root, jobs: options.jobs, signal: options.signal, progress: new TransferProgress(options.onProgress) };
}

/** Writes one blob, counting its bytes. */
async function writeCounted(w: TreeWrite, h: Hash, size: number, open: () => Promise<Readable>, signal = w.signal): Promise<void> {
  const advance = w.progress.blob(h.toString(), size);
  let sent = 0;
  const outcome = await writeBlobFile(w.root, h, size, open, {
    signal,
    onBytes: (n) => advance((sent += n)),
  });
  if (outcome === 'present') advance(size);
}

/** Writes an in-memory document (manifest, config, index) as a blob. */
function writeDocument(w: TreeWrite, h: Hash, bytes: Buffer): Promise<void> {
  return writeCounted(w, h, bytes.length, async () => Readable.from([bytes], { objectMode: false }));
}

async function knownOrUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof NotComputedError) return undefined;
    throw err;
  }
}

/** Writes a layer's compressed blob; a streaming layer is named by its digest once read. */
async function writeLayer(w: TreeWrite, layer: Layer, signal: AbortSignal): Promise<void> {
  const digest = await knownOrUndefined(() => layer.digest());
  if (!digest) {
    const advance = w.progress.blob(undefined, -1);
    let sent = 0;
    await writeUnnamedBlob(w.root, () => layer.compressed({ signal }), () => layer.digest(), { signal, onBytes: (n) => advance((sent += n)) });
    return;
  }
  const size = (await knownOrUndefined(() => layer.size())) ?? -1;
  await writeCounted(w, digest, size, () => layer.compressed({ signal }), signal);
}

/** Writes an image's layers, config and manifest (ggcr `WriteImage`); does not touch index.json. */
export async function writeImageTree(w: TreeWrite, img: Image): Promise<void> {
  const layers = await img.layers();
  await mapLimit(layers, w.jobs, (l, _i, signal) => writeLayer(w, l, signal), w.signal ? { signal: w.signal } : {});
  const [configName, config] = await Promise.all([img.configName(), img.rawConfigFile()]);
  await writeDocument(w, configName, config);
  const [digest, manifest] = await Promise.all([img.digest(), img.rawManifest()]);
  await writeDocument(w, digest, manifest);
}

/** Copies a child the writer does not understand, as ggcr does: as an opaque blob. */
async function writeOpaqueChild(w: TreeWrite, idx: ImageIndex, d: Descriptor): Promise<void> {
  const data = inlineData(d);
  if (data) return writeDocument(w, d.digest, data);
  if (await blobPresent(w.root, d.digest, d.size)) return;
  if (!hasBlob(idx)) {
    throw new NotFoundError(`cannot copy child ${d.digest} of media type ${JSON.stringify(d.mediaType)}: its index offers no blob access`);
  }
  return writeCounted(w, d.digest, d.size, () => idx.blob(d.digest, w.signal ? { signal: w.signal } : {}));
}

/**
 * Writes everything under `idx` (children depth first, serially, as ggcr) but not `idx` itself;
 * the caller stores it as a blob (`writeIndexTree`) or as index.json (`write`).
 */
export async function writeIndexChildren(w: TreeWrite, idx: ImageIndex): Promise<void> {
  for (const d of (await idx.indexManifest()).manifests) {
    w.signal?.throwIfAborted();
    if (types.isIndex(d.mediaType)) await writeIndexTree(w, await idx.imageIndex(d.digest));
    else if (types.isImage(d.mediaType)) await writeImageTree(w, await idx.image(d.digest));
    else await writeOpaqueChild(w, idx, d);
  }
}

/** Writes an index, its children and everything under them (ggcr `WriteIndex`); not index.json. */
export async function writeIndexTree(w: TreeWrite, idx: ImageIndex): Promise<void> {
  await writeIndexChildren(w, idx);
  const [digest, raw] = await Promise.all([idx.digest(), idx.rawManifest()]);
  await writeDocument(w, digest, raw);
}
