/**
 * @module Writing a tar stream from entries: headers as Go's archive/tar writes them, bodies
 * streamed with backpressure and checked against their header's size, then the end-of-archive
 * marker. Nothing is buffered beyond a small batch of tiny entries.
 */
import type { Readable } from 'node:stream';
import { destroyUnfinished, readableFrom } from '../pipe/index.ts';
import { BadTarError, InvalidArgumentError } from '../../errors/index.ts';
import { encodeHeader } from './encode-header.ts';
import { blockPadding } from './fields.ts';
import { isHeaderOnlyFlag, typeflagOf, type TarHeader } from './header.ts';

/** One entry to write: its header and, for types that have one, its body. */
export interface TarEntry {
  header: TarHeader;
  /** Exactly `header.size` bytes; omit for directories, links and empty files. */
  body?: Readable | Uint8Array;
}

/** Options for {@link createTarStream}. */
export interface TarStreamOptions {
  /** Destroys the output (and the body being read) with the abort reason. */
  signal?: AbortSignal;
}

/** Two zero blocks: the end-of-archive marker every tar stream finishes with. Do not modify. */
export const END_OF_ARCHIVE: Uint8Array = new Uint8Array(1024);

/** Zero bytes that pad a body of `size` bytes to the next 512-byte boundary (none when aligned). */
export function padding(size: number): Buffer {
  return Buffer.alloc(blockPadding(size));
}

/** Small chunks are gathered up to this size before they are pushed, so tiny entries do not cost a push each. */
const BATCH_BYTES = 64 * 1024;

/**
 * Returns a Readable of the tar archive holding `entries`, in order, ended by END_OF_ARCHIVE.
 * Bodies are read only as the output is read. A body whose length differs from its header's
 * size fails the stream with BadTarError; a header no tar format can hold fails it with
 * InvalidArgumentError. Destroying the output destroys the body being copied.
 *
 * @example
 * const tar = createTarStream([
 *   { header: { name: 'hello.txt', type: 'file', mode: 0o644, size: 6 }, body: Buffer.from('hello\n') },
 * ]);
 * await pipeline(tar, createWriteStream('out.tar'));
 */
export function createTarStream(
  entries: AsyncIterable<TarEntry> | Iterable<TarEntry>,
  options: TarStreamOptions = {},
): Readable {
  const { signal } = options;
  const state: { body: Readable | undefined } = { body: undefined };
  // Destroying the output closes the body being copied, so the generator unwinds (and frees the
  // file it may hold) even when that body is stalled.
  const out = readableFrom(generateTar(entries, state, signal), () => destroyUnfinished(state.body), { highWaterMark: BATCH_BYTES });
  if (signal) {
    const onAbort = (): void => {
      state.body?.destroy(signal.reason as Error);
      out.destroy(signal.reason as Error);
    };
    if (signal.aborted) onAbort();
    else {
      signal.addEventListener('abort', onAbort, { once: true });
      out.once('close', () => signal.removeEventListener('abort', onAbort));
    }
  }
  return out;
}

async function* generateTar(
  entries: AsyncIterable<TarEntry> | Iterable<TarEntry>,
  state: { body: Readable | undefined },
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  let batch: Buffer[] = [];
  let batched = 0;
  const add = (chunk: Buffer): void => {
    batch.push(chunk);
    batched += chunk.length;
  };
  const flush = (): Buffer => {
    const chunk = batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch, batched);
    batch = [];
    batched = 0;
    return chunk;
  };
  try {
    for await (const entry of entries) {
      signal?.throwIfAborted();
      const { header, body } = entry;
      const name = header.name;
      add(encodeHeader(header));
      const flag = typeflagOf(header);
      // Go writes no body for these, whatever the size field says, and neither do we.
      const size = isHeaderOnlyFlag(flag) || flag === 'g' ? 0 : (header.size ?? 0);
      if (body === undefined || body instanceof Uint8Array) {
        const bytes = body === undefined ? Buffer.alloc(0) : asBuffer(body);
        if (bytes.length !== size) throw lengthError(name, size, bytes.length);
        if (bytes.length >= BATCH_BYTES) {
          yield flush();
          yield bytes;
        } else if (bytes.length > 0) {
          add(bytes);
        }
      } else {
        // Owned from here: if the output stops at the flush below, `finally` must close it too.
        state.body = body;
        if (batched > 0) yield flush();
        yield* copyBody(body, name, size);
        state.body = undefined;
      }
      if (size % 512 !== 0) add(padding(size));
      if (batched >= BATCH_BYTES) yield flush();
    }
    add(Buffer.alloc(END_OF_ARCHIVE.length));
    yield flush();
  } finally {
    // An unfinished body (the output was destroyed, or a later check failed) holds a file open.
    if (state.body && !state.body.readableEnded) state.body.destroy();
  }
}

async function* copyBody(body: Readable, name: string, size: number): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of body) {
    if (!(chunk instanceof Uint8Array)) {
      throw new InvalidArgumentError(`body of tar entry ${JSON.stringify(name)} yields ${typeof chunk} chunks, not bytes`);
    }
    seen += chunk.length;
    if (seen > size) throw lengthError(name, size, seen, true);
    yield asBuffer(chunk);
  }
  if (seen !== size) throw lengthError(name, size, seen);
}

function lengthError(name: string, size: number, actual: number, atLeast = false): BadTarError {
  return new BadTarError(
    `body of tar entry ${JSON.stringify(name)} is ${atLeast ? 'at least ' : ''}${actual} bytes, but its header says ${size}`,
  );
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
