/**
 * @module A tar archive that can only be read from the start (a pipe, a download, `docker save`'s
 * output) as a FileSource: like ggcr's tarball reader it reads the archive again for every file
 * asked for. The first access scans it once for the table of contents, so links, duplicates and
 * truncation are judged exactly as for an archive on disk.
 */
import { addAbortSignal, Readable } from 'node:stream';
import { BadTarError, NotFoundError, TooLargeError } from '../../errors/index.ts';
import { lazy } from '../lazy/index.ts';
import { MANIFEST_LIMIT, readAll } from '../limit/index.ts';
import { ByteSource } from '../tar/byte-source.ts';
import { EntryBody } from '../tar/entry-body.ts';
import { readNextHeader } from '../tar/read-header.ts';
import type { FileInfo, FileReadOptions, FileSource, ReadFileOptions } from './file-source.ts';
import { cleanComponents, TarIndex, type IndexedEntry } from './tar-index.ts';
import { scanStream } from './tar-scan.ts';

/**
 * Opens a fresh stream over the whole archive each time it is called; the same shape as the
 * tarball module's `Opener` (ggcr's `tarball.Opener`).
 */
export type StreamOpener = (options?: { signal?: AbortSignal }) => Promise<Readable>;

/** Options for {@link openerTarSource}. */
export interface OpenerSourceOptions {
  /** How errors name the archive; default `tar stream`. */
  readonly description?: string;
}

/**
 * Returns a FileSource over the archive `opener` yields. Nothing is read until the first call;
 * then the archive is scanned once for its table of contents, and every `open`/`readFile`
 * reads it again from the start up to the file asked for (checking the entry is still where the
 * scan found it).
 *
 * @example
 * const source = openerTarSource(async () => spawn('docker', ['save', 'busybox']).stdout);
 */
export function openerTarSource(opener: StreamOpener, options: OpenerSourceOptions = {}): FileSource {
  return new OpenerSource(opener, options.description ?? 'tar stream');
}

class OpenerSource implements FileSource {
  readonly description: string;
  readonly #opener: StreamOpener;
  readonly #index: () => Promise<TarIndex>;

  constructor(opener: StreamOpener, description: string) {
    this.#opener = opener;
    this.description = description;
    this.#index = lazy(async () => new TarIndex(await scanStream(await opener(), description), description));
  }

  async stat(name: string, options: FileReadOptions = {}): Promise<FileInfo | undefined> {
    options.signal?.throwIfAborted();
    const entry = (await this.#index()).lookup(name);
    return entry && { name: (cleanComponents(name) ?? []).join('/'), size: entry.size };
  }

  async open(name: string, options: FileReadOptions = {}): Promise<Readable> {
    const { signal } = options;
    signal?.throwIfAborted();
    const entry = (await this.#index()).lookup(name);
    if (!entry) throw new NotFoundError(`${this.description} has no file ${JSON.stringify(name)}`);
    const stream = await this.#opener(signal ? { signal } : {});
    const source = new ByteSource(stream);
    let body: Readable;
    try {
      await this.#seek(source, entry);
      body = new EntryBody(source, entry.size, entry.rawName).stream;
    } catch (err) {
      await source.close();
      throw err;
    }
    // Nothing after this file is wanted: stop reading the archive as soon as the body is done.
    body.once('close', () => void source.close());
    return signal ? addAbortSignal(signal, body) : body;
  }

  /** The file's first bytes as the scan recorded them: no second read of the archive. */
  async head(name: string, options: FileReadOptions = {}): Promise<Buffer> {
    options.signal?.throwIfAborted();
    const entry = (await this.#index()).lookup(name);
    if (!entry) throw new NotFoundError(`${this.description} has no file ${JSON.stringify(name)}`);
    return entry.head;
  }

  async readFile(name: string, options: ReadFileOptions = {}): Promise<Buffer> {
    const entry = (await this.#index()).lookup(name);
    // A whole file in memory is for documents: capped like every document unless told otherwise.
    const limit = options.limit ?? MANIFEST_LIMIT;
    // The index knows the size: refuse before reading the archive again.
    if (entry && entry.size > limit) {
      throw new TooLargeError(`${JSON.stringify(name)} in ${this.description} is ${entry.size} bytes, over the ${limit}-byte limit`, limit);
    }
    const stream = await this.open(name, options);
    return readAll(stream, {
      max: limit,
      what: `${JSON.stringify(name)} in ${this.description}`,
      signal: options.signal,
    });
  }

  /** Moves `source` to the entry's data, checking the archive still has it there. */
  async #seek(source: ByteSource, entry: IndexedEntry): Promise<void> {
    const changed = (why: string) =>
      new BadTarError(
        `${this.description} is not the archive it was when scanned: ${why} (entry ${JSON.stringify(entry.rawName)}, ` +
          `header at byte offset ${entry.headerOffset})`,
      );
    if ((await source.skip(entry.headerOffset)) < entry.headerOffset) throw changed('it is shorter now');
    let next: Awaited<ReturnType<typeof readNextHeader>>;
    try {
      next = await readNextHeader(source, undefined);
    } catch (err) {
      throw changed(`no entry header where there was one (${(err as Error).message})`);
    }
    if (next === undefined || next.header.name !== entry.rawName || next.dataSize !== entry.size || source.offset !== entry.dataOffset) {
      throw changed('a different entry is there now');
    }
  }
}
