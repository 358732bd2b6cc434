/**
 * @module Writing one blob into a layout's `blobs/<alg>/<hex>`: skipped when a regular file of
 * the right size is already there (ggcr's reuse), otherwise streamed into a temporary file in the
 * same folder, verified for digest and size on the way, and renamed into place only when whole.
 * Writes of the same blob in one process are done once.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Duplex, type Readable } from 'node:stream';
import { BadHashError, DigestMismatchError } from '../errors/index.ts';
import { Hash } from '../v1/hash.ts';
import { HashingStream, SIZE_UNKNOWN, checksAs, verifyOnce } from '../internal/verify/index.ts';
import { writePumpAtomic, writeStreamAtomic } from '../internal/atomic-file/index.ts';
import { countedPump, pumpOf, verifiedPump } from '../internal/pump/index.ts';

/** Where blob `h` lives under the layout `root`. */
export function blobPath(root: string, h: Hash): string {
  return join(root, 'blobs', h.algorithm, h.hex);
}

/** The name of blob `h` inside a layout, as a FileSource names it. */
export function blobName(h: Hash): string {
  return `blobs/${h.algorithm}/${h.hex}`;
}

/**
 * True when a regular file (not a link, not a folder) is at the blob's path with `size` bytes
 * (any size when `size` is SIZE_UNKNOWN). Its content is trusted, as ggcr trusts it.
 */
export async function blobPresent(root: string, h: Hash, size: number): Promise<boolean> {
  try {
    const st = await lstat(blobPath(root, h));
    return st.isFile() && (size === SIZE_UNKNOWN || st.size === size);
  } catch {
    return false;
  }
}

/** What writing a blob did. */
export type BlobOutcome = 'written' | 'present';

/** Options for {@link writeBlobFile}. */
export interface BlobWriteOptions {
  readonly signal?: AbortSignal | undefined;
  /** Called with each chunk's length as it is written. */
  readonly onBytes?: ((n: number) => void) | undefined;
}

/** Blobs from this size up are hashed off the main thread when pumped (`internal/trailing-hash`). */
const OFF_THREAD_HASH_MIN = 1024 * 1024;

const inFlight = new Map<string, Promise<BlobOutcome>>();

function counter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

/**
 * Writes blob `h` of `size` bytes (SIZE_UNKNOWN: digest checked only) from the stream `open`
 * gives, unless it is already present; `open` is not called then. A stream that errs, a digest
 * or size mismatch, or an abort leaves nothing under the blob's name and no temporary file.
 */
export async function writeBlobFile(
  root: string,
  h: Hash,
  size: number,
  open: () => Promise<Readable>,
  options: BlobWriteOptions = {},
): Promise<BlobOutcome> {
  const final = blobPath(root, h);
  const running = inFlight.get(final);
  if (running) {
    // The same blob is being written by another call: its result will do, unless it fails.
    const ok = await running.then(() => true, () => false);
    if (ok && (await blobPresent(root, h, size))) return 'present';
  }
  if (await blobPresent(root, h, size)) return 'present';
  const work = (async (): Promise<BlobOutcome> => {
    const opened = await open();
    const pump = pumpOf(opened);
    if (pump) {
      // Straight to the file with synchronous writes (a registry blob; over plain HTTP, from the
      // socket's buffer). A large blob is hashed on another thread as it lands; a small one
      // here, where the hand-over would cost more than the hash.
      const verify = { digest: h, size, what: `blob ${h}` };
      const offThread = size === SIZE_UNKNOWN || size >= OFF_THREAD_HASH_MIN;
      const checked = offThread || checksAs(opened, verify) ? pump : verifiedPump(pump, verify);
      const counted = options.onBytes ? countedPump(checked, options.onBytes) : checked;
      await writePumpAtomic(final, opened, counted, { signal: options.signal, verify: offThread ? verify : undefined });
      return 'written';
    }
    // Verified here unless the stream already verifies itself for this digest (a registry blob).
    const source = verifyOnce(opened, { digest: h, size, what: `blob ${h}` });
    const transforms: Duplex[] = [];
    if (options.onBytes) transforms.push(counter(options.onBytes));
    await writeStreamAtomic(final, source, transforms, { signal: options.signal });
    return 'written';
  })();
  inFlight.set(final, work);
  try {
    return await work;
  } finally {
    if (inFlight.get(final) === work) inFlight.delete(final);
  }
}

/**
 * Writes a blob whose digest is only known once its stream has been read (a streaming layer,
 * ggcr's `stream.Layer`): the bytes are hashed as they are written, then `finalDigest()` must
 * agree with what was hashed, and the file is renamed to that digest. Returns the digest.
 */
export async function writeUnnamedBlob(
  root: string,
  open: () => Promise<Readable>,
  finalDigest: () => Promise<Hash>,
  options: BlobWriteOptions = {},
): Promise<Hash> {
  const hashing = new HashingStream('sha256');
  const transforms: Duplex[] = [hashing];
  if (options.onBytes) transforms.push(counter(options.onBytes));
  let digest: Hash | undefined;
  await writeStreamAtomic(join(root, 'blobs', 'sha256', 'unnamed'), await open(), transforms, {
    signal: options.signal,
    beforeRename: async () => {
      const claimed = await finalDigest();
      if (claimed.algorithm !== 'sha256') {
        throw new BadHashError(`streamed blob claims a ${claimed.algorithm} digest (${claimed}); streamed layers are hashed with sha256 only`);
      }
      const seen = hashing.digest;
      if (!claimed.equals(seen)) {
        throw new DigestMismatchError(`digest mismatch for streamed blob: it claims ${claimed}, its bytes hash to ${seen}`, claimed.toString(), seen.toString());
      }
      digest = claimed;
      return blobPath(root, claimed);
    },
  });
  return digest!;
}
