/**
 * @module Reading blobs of a layout from any FileSource (a folder, an OCI-layout tar, the OCI form
 * of a `docker save` archive), each one verified for digest and size while it streams (ggcr does
 * not verify layout reads), and documents (manifests, configs, indexes) capped at MANIFEST_LIMIT.
 */
import { Readable } from 'node:stream';
import { BadDocumentError, DigestMismatchError, NotFoundError, TooLargeError } from '../errors/index.ts';
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
  /**
   * Which media type an image or index view reports. `'descriptor'` (the default, as ggcr's
   * layout): the one its parent's descriptor gives, the root always an OCI index. `'document'`
   * (the tarball reader's rule): the document's own `mediaType` field when it has one, else the
   * descriptor's, since that field is what a registry checks a pushed manifest against and
   * archives' index entries are sometimes vaguer; a child is then refused as an image only when
   * its descriptor says index, and the other way round.
   */
  readonly mediaTypes?: 'descriptor' | 'document' | undefined;
}

/** `sha256:… (blobs/sha256/… in /path)`, for messages. */
export function whereIs(ctx: SourceContext, h: Hash): string {
  return `${blobName(h)} in ${ctx.source.description}`;
}

/**
 * Opens blob `h`, verified as it streams against `h` and `size` (SIZE_UNKNOWN: digest only).
 * The stream fails with DigestMismatchError or SizeMismatchError at the first byte too many or
 * at its end. `what` names the blob's part in an image for messages (`layer 1 (sha256:…) of image
 * sha256:… in /path`); a missing blob is then a NotFoundError saying so.
 */
export async function openBlob(ctx: SourceContext, h: Hash, size: number, signal?: AbortSignal, what?: string): Promise<Readable> {
  const s = signal ?? ctx.signal;
  const name = blobName(h);
  let stream: Readable;
  try {
    stream = await ctx.source.open(name, s ? { signal: s } : {});
  } catch (err) {
    if (what !== undefined && err instanceof NotFoundError) {
      throw new NotFoundError(`${what}: ${JSON.stringify(name)} is not in ${ctx.source.description}`, { cause: err });
    }
    throw err;
  }
  return pipe(stream, verifyStream({ digest: h, size, what: what === undefined ? whereIs(ctx, h) : `${what} (${name})` }));
}

/** The blob's bytes when the descriptor carries them inline (verified), else undefined. */
export function inlineData(d: Pick<Descriptor, 'digest' | 'size' | 'data'>): Buffer | undefined {
  if (!d.data) return undefined;
  const data = verifyDescriptorData(d, { what: `inline data of ${d.digest}` });
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** The blob of a descriptor as a stream: inline data if it has some, else the file, verified (`what` as for openBlob). */
export async function openDescribed(ctx: SourceContext, d: Descriptor, signal?: AbortSignal, what?: string): Promise<Readable> {
  const data = inlineData(d);
  if (data) return Readable.from([data], { objectMode: false });
  return openBlob(ctx, d.digest, d.size, signal, what);
}

/**
 * Reads a document blob of kind `kind` (manifest, index, config) whole: capped, verified. Messages
 * name it `what`, by default `<kind> <digest> in <source>`; a missing blob is a NotFoundError
 * saying so, as for openBlob.
 */
export async function readDocument(ctx: SourceContext, d: Pick<Descriptor, 'digest' | 'size' | 'data'>, kind: string, what?: string): Promise<Buffer> {
  const data = inlineData(d);
  if (data) return data;
  const name = what ?? `${kind} ${d.digest} in ${ctx.source.description}`;
  if (d.size > MANIFEST_LIMIT) {
    throw new TooLargeError(`${name} is ${d.size} bytes, more than the ${MANIFEST_LIMIT}-byte limit for documents`, MANIFEST_LIMIT);
  }
  const stream = await openBlob(ctx, d.digest, d.size, undefined, name);
  return readAll(stream, { max: MANIFEST_LIMIT, what: name, signal: ctx.signal });
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
