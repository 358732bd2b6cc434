/**
 * @module OCI-layout tar archives as podman (`oci-archive:`) and buildkit (`type=oci`) write them:
 * `oci-layout`, `index.json`, then every blob once as `blobs/<alg>/<hex>`. Entries are what Go's
 * archive/tar writes (regular files, mode 0644, uid/gid 0, mtime the Unix epoch), so the same
 * index gives the same bytes every time. Blobs stream from their source, verified, one at a time.
 * Reading one back is `fromFileSource` over the tar FileSource.
 */
import { Readable } from 'node:stream';
import * as types from '../types/index.ts';
import { NotFoundError } from '../errors/index.ts';
import type { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { ImageIndex } from '../v1/interfaces.ts';
import { createTarStream, type TarEntry } from '../internal/tar/index.ts';
import { verifyOnce } from '../internal/verify/index.ts';
import { blobName } from './blob-writer.ts';
import { writeStreamAtomic } from '../internal/atomic-file/index.ts';
import { inlineData } from './source-blobs.ts';
import type { WithBlob } from './tree-writer.ts';

/**
 * What buildkit and podman put in `oci-layout` (ggcr's folder writer indents it; both parse the
 * same, and these archives are meant to look like theirs).
 */
const ARCHIVE_LAYOUT_FILE = Buffer.from('{"imageLayoutVersion":"1.0.0"}');

/** Options of {@link writeArchive} and {@link writeArchiveToFile}. */
export interface ArchiveOptions {
  readonly signal?: AbortSignal;
}

const fileEntry = (name: string, body: Readable | Uint8Array, size: number): TarEntry => ({
  header: { name, type: 'file', mode: 0o644, size },
  body,
});

interface Walk {
  readonly seen: Set<string>;
  readonly signal: AbortSignal | undefined;
}

/** One blob entry, unless already written; `open` runs only when the tar reaches it. */
async function* blobEntry(walk: Walk, h: Hash, size: number, open: () => Promise<Readable | Buffer>): AsyncGenerator<TarEntry> {
  const key = h.toString();
  if (walk.seen.has(key)) return;
  walk.seen.add(key);
  const body = await open();
  const stream = Buffer.isBuffer(body) ? Readable.from([body], { objectMode: false }) : body;
  // A registry layer already verifies itself on the way out: hash it once, not twice.
  yield fileEntry(blobName(h), verifyOnce(stream, { digest: h, size, what: `blob ${h}` }), size);
}

async function* imageEntries(walk: Walk, idx: ImageIndex, d: Descriptor): AsyncGenerator<TarEntry> {
  const img = await idx.image(d.digest);
  for (const layer of await img.layers()) {
    const [digest, size] = await Promise.all([layer.digest(), layer.size()]);
    yield* blobEntry(walk, digest, size, () => layer.compressed(walk.signal ? { signal: walk.signal } : {}));
  }
  const config = await img.rawConfigFile();
  yield* blobEntry(walk, await img.configName(), config.length, async () => config);
  const manifest = await img.rawManifest();
  yield* blobEntry(walk, await img.digest(), manifest.length, async () => manifest);
}

async function* childEntries(walk: Walk, idx: ImageIndex): AsyncGenerator<TarEntry> {
  for (const d of (await idx.indexManifest()).manifests) {
    walk.signal?.throwIfAborted();
    if (walk.seen.has(d.digest.toString())) continue;
    if (types.isIndex(d.mediaType)) {
      const child = await idx.imageIndex(d.digest);
      yield* childEntries(walk, child);
      const raw = await child.rawManifest();
      yield* blobEntry(walk, d.digest, raw.length, async () => raw);
    } else if (types.isImage(d.mediaType)) {
      yield* imageEntries(walk, idx, d);
    } else {
      const data = inlineData(d);
      const source = idx as Partial<WithBlob>;
      if (!data && typeof source.blob !== 'function') {
        throw new NotFoundError(`cannot copy child ${d.digest} of media type ${JSON.stringify(d.mediaType)}: its index offers no blob access`);
      }
      yield* blobEntry(walk, d.digest, d.size, async () => data ?? source.blob!(d.digest, walk.signal ? { signal: walk.signal } : {}));
    }
  }
}

async function* archiveEntries(idx: ImageIndex, signal: AbortSignal | undefined): AsyncGenerator<TarEntry> {
  yield fileEntry('oci-layout', ARCHIVE_LAYOUT_FILE, ARCHIVE_LAYOUT_FILE.length);
  const raw = await idx.rawManifest();
  yield fileEntry('index.json', raw, raw.length);
  yield* childEntries({ seen: new Set(), signal }, idx);
}

/**
 * Streams `idx` as an OCI-layout tar: index.json is the index's own bytes (so give it the
 * `org.opencontainers.image.ref.name` annotations that podman and skopeo look up), and everything
 * under it follows as blobs, each once. The stream fails if a blob does not match its descriptor.
 *
 * @example
 * await pipeline(layout.writeArchive(idx), createWriteStream('image.oci.tar'));
 */
export function writeArchive(idx: ImageIndex, options: ArchiveOptions = {}): Readable {
  return createTarStream(archiveEntries(idx, options.signal), options.signal ? { signal: options.signal } : {});
}

/**
 * Writes {@link writeArchive}'s tar to `path` atomically: a temporary file beside it, renamed into
 * place when complete; on failure or abort nothing is left behind.
 *
 * @example
 * await layout.writeArchiveToFile('app.oci.tar', await layout.imageIndexFromPath('./oci'));
 */
export async function writeArchiveToFile(path: string, idx: ImageIndex, options: ArchiveOptions = {}): Promise<void> {
  await writeStreamAtomic(path, writeArchive(idx, options), [], options.signal ? { signal: options.signal } : {});
}
