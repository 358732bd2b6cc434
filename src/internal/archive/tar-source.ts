/**
 * @module A tar archive on disk as a FileSource: the headers are scanned once, then every file is
 * read straight from its byte range, so a many-GiB `docker save` archive is never read more than
 * a consumer asks for.
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { addAbortSignal, Readable, Transform, type TransformCallback } from 'node:stream';
import { BadTarError, InvalidArgumentError, NotFoundError, TooLargeError } from '../../errors/index.ts';
import type { FileInfo, FileReadOptions, FileSource, ReadFileOptions } from './file-source.ts';
import { cleanComponents, TarIndex, type IndexedEntry } from './tar-index.ts';
import { scanFile } from './tar-scan.ts';
import { MANIFEST_LIMIT } from '../limit/index.ts';

/** Options for {@link openTarSource}. */
export interface TarSourceOptions {
  /** Stops the scan. */
  readonly signal?: AbortSignal;
}

/** 1 MiB reads, as everywhere else in the package: fewer, larger chunks hash and copy faster. */
const READ_CHUNK = 1024 * 1024;

/** What identifies the file that was scanned; a change means the offsets may be stale. */
interface Identity {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

function identityOf(st: Stats): Identity {
  return { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

/**
 * Scans the tar archive at `path` once and returns it as a FileSource whose `open` reads each file
 * from its byte range. Throws BadTarError for a malformed or truncated archive or for two
 * entries with the same cleaned name; hostile names and links are refused when looked up.
 *
 * @example
 * const source = await openTarSource('busybox.tar');
 * const manifest = await source.readFile('manifest.json', { limit: 1 << 20 });
 */
export async function openTarSource(path: string, options: TarSourceOptions = {}): Promise<FileSource> {
  const where = `archive ${path}`;
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new InvalidArgumentError(`${where} is not a regular file`);
    const entries = await scanFile(fh, st.size, where, options.signal);
    return new TarFileSource(path, where, new TarIndex(entries, where), identityOf(st));
  } finally {
    await fh.close();
  }
}

class TarFileSource implements FileSource {
  readonly description: string;
  readonly #path: string;
  readonly #index: TarIndex;
  readonly #identity: Identity;

  constructor(path: string, description: string, index: TarIndex, identity: Identity) {
    this.#path = path;
    this.description = description;
    this.#index = index;
    this.#identity = identity;
  }

  async stat(name: string, options: FileReadOptions = {}): Promise<FileInfo | undefined> {
    options.signal?.throwIfAborted();
    const entry = this.#index.lookup(name);
    return entry && { name: (cleanComponents(name) ?? []).join('/'), size: entry.size };
  }

  #require(name: string): IndexedEntry {
    const entry = this.#index.lookup(name);
    if (!entry) throw new NotFoundError(`${this.description} has no file ${JSON.stringify(name)}`);
    return entry;
  }

  /** Opens the archive and checks it is still the file that was scanned (same fd for the read). */
  async #reopen(): Promise<FileHandle> {
    const fh = await open(this.#path, 'r');
    try {
      const now = identityOf(await fh.stat());
      const was = this.#identity;
      if (now.dev !== was.dev || now.ino !== was.ino || now.size !== was.size || now.mtimeMs !== was.mtimeMs) {
        throw new BadTarError(
          `${this.description} changed since it was scanned (size ${was.size} -> ${now.size}, ` +
            `mtime ${new Date(was.mtimeMs).toISOString()} -> ${new Date(now.mtimeMs).toISOString()}); open it again`,
        );
      }
      return fh;
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  async open(name: string, options: FileReadOptions = {}): Promise<Readable> {
    options.signal?.throwIfAborted();
    const entry = this.#require(name);
    const fh = await this.#reopen();
    let stream: Readable;
    if (entry.size === 0) {
      await fh.close();
      stream = Readable.from([], { objectMode: false });
    } else {
      const range = fh.createReadStream({
        start: entry.dataOffset,
        end: entry.dataOffset + entry.size - 1,
        highWaterMark: READ_CHUNK,
        autoClose: true,
      });
      stream = range.pipe(exactLength(entry, this.description));
      // pipe() does not forward errors or destruction; both ends must go together.
      range.once('error', (err) => stream.destroy(err));
      stream.once('close', () => range.destroy());
    }
    return options.signal ? addAbortSignal(options.signal, stream) : stream;
  }

  /** The file's first bytes as the scan recorded them. */
  async head(name: string, options: FileReadOptions = {}): Promise<Buffer> {
    options.signal?.throwIfAborted();
    return this.#require(name).head;
  }

  async readFile(name: string, options: ReadFileOptions = {}): Promise<Buffer> {
    options.signal?.throwIfAborted();
    const entry = this.#require(name);
    // A whole file in memory is for documents: capped like every document unless told otherwise.
    const limit = options.limit ?? MANIFEST_LIMIT;
    if (entry.size > limit) {
      throw new TooLargeError(`${JSON.stringify(name)} in ${this.description} is ${entry.size} bytes, over the ${limit}-byte limit`, limit);
    }
    const fh = await this.#reopen();
    try {
      const buffer = Buffer.alloc(entry.size);
      let done = 0;
      while (done < entry.size) {
        options.signal?.throwIfAborted();
        const { bytesRead } = await fh.read(buffer, done, entry.size - done, entry.dataOffset + done);
        if (bytesRead === 0) throw shortRead(entry, this.description, done);
        done += bytesRead;
      }
      return buffer;
    } finally {
      await fh.close();
    }
  }
}

function shortRead(entry: IndexedEntry, where: string, got: number): BadTarError {
  return new BadTarError(
    `${where} ended after ${got} of the ${entry.size} bytes of ${JSON.stringify(entry.path)} (data at byte offset ${entry.dataOffset}); was it truncated after it was scanned?`,
  );
}

/** Fails a range read that ends short: the file shrank after the identity check. */
function exactLength(entry: IndexedEntry, where: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback): void {
      seen += chunk.length;
      done(null, chunk);
    },
    flush(done: TransformCallback): void {
      done(seen === entry.size ? null : shortRead(entry, where, seen));
    },
  });
}
