/**
 * @module Reading a layer file of a classic archive as a blob that must have a given digest and
 * size, checked while it streams. (The OCI form's blobs are read by the layout module's views.)
 */
import type { Readable } from 'node:stream';
import { NotFoundError, SizeMismatchError } from '../errors/index.ts';
import type { FileSource } from '../internal/archive/file-source.ts';
import { pipe } from '../internal/pipe/index.ts';
import { SIZE_UNKNOWN, verifyStream } from '../internal/verify/index.ts';
import type { Hash } from '../v1/hash.ts';

/** What a file must be: its digest, and its size or SIZE_UNKNOWN. */
export interface Expected {
  readonly digest: Hash;
  readonly size: number;
}

/** The file's size; NotFoundError naming `what` and the archive when it is absent. */
export async function requireFile(source: FileSource, name: string, what: string, signal?: AbortSignal): Promise<number> {
  const info = await source.stat(name, signal ? { signal } : {});
  if (!info) throw new NotFoundError(`${what}: ${JSON.stringify(name)} is not in ${source.description}`);
  return info.size;
}

function checkSize(what: string, name: string, expected: number, actual: number): void {
  if (expected !== SIZE_UNKNOWN && expected !== actual) {
    throw new SizeMismatchError(`size mismatch for ${what} (${JSON.stringify(name)}): expected ${expected} bytes, the file has ${actual}`, expected, actual);
  }
}

/**
 * Opens a file as a stream that fails at its end if the bytes do not have `expected`'s digest
 * (and at once if the size is wrong).
 */
export async function openVerified(source: FileSource, name: string, expected: Expected, what: string, signal?: AbortSignal): Promise<Readable> {
  const size = await requireFile(source, name, what, signal);
  checkSize(what, name, expected.size, size);
  const stream = await source.open(name, signal ? { signal } : {});
  return pipe(stream, verifyStream({ digest: expected.digest, size: expected.size, what: `${what} (${JSON.stringify(name)} in ${source.description})` }));
}
