/**
 * @module Reading a tar stream entry by entry: ustar, old V7, PAX (`x` and `g`), GNU long names
 * and base-256 numbers, as Go's archive/tar reads them, with each body as a Readable that
 * streams straight from the archive.
 */
import type { Readable } from 'node:stream';
import { ByteSource } from './byte-source.ts';
import { EntryBody } from './entry-body.ts';
import type { ParsedTarHeader } from './header.ts';
import { readNextHeader } from './read-header.ts';
import { checkEntryPath, type SafePathOptions } from './safe-path.ts';

/** Options for {@link readTar}. */
export interface ReadTarOptions extends SafePathOptions {
  /** Destroys the source stream with the abort reason; the iteration then throws it. */
  signal?: AbortSignal;
  /**
   * Throw UnsafePathError on the first entry whose name or link target would land outside the
   * extraction root (see checkEntryPath). Off by default: entries are yielded as they are.
   */
  rejectUnsafe?: boolean;
}

/** One entry: its header and its body. */
export interface TarReadEntry {
  header: ParsedTarHeader;
  /**
   * The entry's data (empty for directories, links and devices). Read it, or leave it: asking for
   * the next entry skips whatever was not read and destroys this stream.
   */
  body: Readable;
}

/**
 * Yields the entries of the tar archive in `stream`, one at a time. Each body streams from the
 * archive with backpressure, so it must be consumed (or given up) before the next entry can be
 * read. A PAX global header is yielded as a `'pax-global'` entry, as Go's reader returns it.
 * After the end-of-archive marker the rest of the stream is read and discarded, so that a
 * verifying stream upstream sees every byte. Ending the iteration early destroys `stream`.
 *
 * Throws BadTarError, naming the entry and the byte offset, for a truncated archive, a bad
 * header checksum, malformed numbers or PAX records, or a sparse file.
 *
 * @example
 * for await (const { header, body } of readTar(createReadStream('layer.tar'))) {
 *   if (header.type === 'file') await pipeline(body, createWriteStream(safeJoin(root, header.name)));
 * }
 */
export async function* readTar(
  stream: Readable,
  options: ReadTarOptions = {},
): AsyncGenerator<TarReadEntry, void, undefined> {
  const { signal, rejectUnsafe = false } = options;
  signal?.throwIfAborted();
  const source = new ByteSource(stream);
  const onAbort = (): void => {
    stream.destroy(signal?.reason as Error);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  let body: EntryBody | undefined;
  let previous: string | undefined;
  try {
    for (;;) {
      const next = await readNextHeader(source, previous);
      if (next === undefined) break;
      const { header, dataSize } = next;
      if (rejectUnsafe) checkEntryPath(header, options);
      body = new EntryBody(source, dataSize, header.name);
      yield { header, body: body.stream };
      await body.finish();
      body = undefined;
      previous = header.name;
    }
    await source.skip(Infinity);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    body?.abandon();
    await source.close();
  }
}
