/**
 * @module Reading blobs of a layout from any FileSource (a folder, an OCI-layout tar), each one
 * verified for digest and size while it streams (ggcr does not verify layout reads), and
 * documents (manifests, configs, indexes) capped at MANIFEST_LIMIT.
 */
import { Readable } from 'node:stream';
import { BadDocumentError, DigestMismatchError, TooLargeError } from '../errors/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { FileSource } from '../internal/archive/file-source.ts';
import { MANIFEST_LIMIT, readAll } from '../internal/limit/index.ts';
import { pipe } from '../internal/pipe/index.ts';
import { verifyDescriptorData, verifyStream } from '../internal/verify/index.ts';
import { blobName } from './blob-writer.ts';

/** What the views of one layout share. */
export interface SourceContext {
  readonly source: FileSource;
  /** Default signal for reads that are not given one. */
  readonly signal?: AbortSignal | undefined;
}

/** `sha256:… (blobs/sha256/… in /path)`, for messages. */
export function whereIs(ctx: SourceContext, h: Hash): string {
  return `${blobName(h)} in ${ctx.source.description}`;
}

/**
 * Opens blob `h`, verified as it streams against `h` and `size` (SIZE_UNKNOWN: digest only).
 * The stream fails with DigestMismatchError or SizeMismatchError at the first byte too many or
 * at its end.
 */
export async function openBlob(ctx: SourceContext, h: Hash, size: number, signal?: AbortSignal): Promise<Readable> {
  const s = signal ?? ctx.signal;
  const stream = await ctx.source.open(blobName(h), s ? { signal: s } : {});
  return pipe(stream, verifyStream({ digest: h, size, what: whereIs(ctx, h) }));
}

/** The blob's bytes when the descriptor carries them inline (verified), else undefined. */
export function inlineData(d: Pick<Descriptor, 'digest' | 'size' | 'data'>): Buffer | undefined {
  if (!d.data) return undefined;
  const data = verifyDescriptorData(d, { what: `inline data of ${d.digest}` });
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** The blob of a descriptor as a stream: inline data if it has some, else the file, verified. */
export async function openDescribed(ctx: SourceContext, d: Descriptor, signal?: AbortSignal): Promise<Readable> {
  const data = inlineData(d);
  if (data) return Readable.from([data], { objectMode: false });
  return openBlob(ctx, d.digest, d.size, signal);
}

/** Reads a document blob (manifest, index, config) whole: capped, verified. */
export async function readDocument(ctx: SourceContext, d: Pick<Descriptor, 'digest' | 'size' | 'data'>, what: string): Promise<Buffer> {
  const data = inlineData(d);
  if (data) return data;
  if (d.size > MANIFEST_LIMIT) {
    throw new TooLargeError(`${what} ${d.digest} is ${d.size} bytes, more than the ${MANIFEST_LIMIT}-byte limit for documents`, MANIFEST_LIMIT);
  }
  const stream = await openBlob(ctx, d.digest, d.size);
  return readAll(stream, { max: MANIFEST_LIMIT, what: `${what} ${whereIs(ctx, d.digest)}`, signal: ctx.signal });
}

/** Reads blob `h` whole with a cap, when no descriptor gives its size; the digest is checked. */
export async function readBlobBytes(ctx: SourceContext, h: Hash, options: { limit?: number; signal?: AbortSignal } = {}): Promise<Buffer> {
  const signal = options.signal ?? ctx.signal;
  const bytes = await ctx.source.readFile(blobName(h), { limit: options.limit ?? MANIFEST_LIMIT, ...(signal ? { signal } : {}) });
  const got = Hash.of(bytes, h.algorithm);
  if (!got.equals(h)) {
    throw new DigestMismatchError(`digest mismatch for ${whereIs(ctx, h)}: expected ${h}, got ${got}`, h.toString(), got.toString());
  }
  return bytes;
}

/**
 * Re-throws a parse error of `file` naming the file while keeping the guard's path
 * (`manifests[0].digest`), so the message says both which file and where in it.
 */
export function inFile(err: unknown, file: string): never {
  if (err instanceof BadDocumentError) {
    const bare = err.path && err.message.startsWith(`${err.path}: `) ? err.message.slice(err.path.length + 2) : err.message;
    throw new BadDocumentError(`${bare} (in ${file})`, err.path, { cause: err });
  }
  throw err;
}
