/**
 * @module A `FileSource` over a directory on disk (an OCI layout folder). Names are resolved
 * inside the directory only: names that climb out, links that lead out, links that loop and
 * anything that is not a regular file are refused, as ggcr's `layout.Path.Blob` refuses them (a
 * blob planted as a link to a secret elsewhere on the machine must be neither read nor pushed).
 */
import { constants, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, posix, relative } from 'node:path';
import { addAbortSignal, type Readable } from 'node:stream';
import { BadTarError, NotFoundError, TooLargeError, UnsafePathError } from '../../errors/index.ts';
import { checkEntryPath } from '../tar/index.ts';
import { readAll, MANIFEST_LIMIT } from '../limit/index.ts';
import type { FileInfo, FileReadOptions, FileSource, ReadFileOptions } from './file-source.ts';

/** Blobs are read in 1 MiB chunks: fewer syscalls and hash updates than the 64 KiB default. */
const READ_CHUNK = 1024 * 1024;

// O_NOFOLLOW refuses a final-component link that appeared after realpath looked; O_NONBLOCK keeps
// a FIFO planted under a blob's name from blocking the open forever (it is then refused by fstat).
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Cleans a slash-separated name (`./a//b` → `a/b`), refusing absolute names and `..` escapes. */
function cleanSourceName(name: string): string {
  if (name.includes('\0')) throw new UnsafePathError(`file name ${JSON.stringify(name)} contains a NUL byte`, name);
  checkEntryPath({ name, type: 'file' });
  const clean = posix.normalize(name).replace(/\/+$/, '');
  return clean === '.' ? '' : clean;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

interface Opened {
  readonly handle: FileHandle;
  readonly stats: Stats;
  readonly name: string;
}

class DirSource implements FileSource {
  readonly description: string;
  readonly #dir: string;
  #root: Promise<string> | undefined;

  constructor(dir: string) {
    this.#dir = dir;
    this.description = dir;
  }

  /** The directory's real path, so links are judged against where the files really are. */
  #realRoot(): Promise<string> {
    this.#root ??= realpath(this.#dir).catch((err: unknown) => {
      this.#root = undefined;
      if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') {
        throw new NotFoundError(`directory ${this.#dir} does not exist`, { cause: err });
      }
      throw err;
    });
    return this.#root;
  }

  /** Where `clean` really is, inside the root; undefined when nothing is there. */
  async #resolve(clean: string): Promise<string | undefined> {
    const root = await this.#realRoot();
    let real: string;
    try {
      real = await realpath(join(root, clean));
    } catch (err) {
      if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR') return undefined;
      if (errno(err) === 'ELOOP') throw new BadTarError(`${clean} in ${this.#dir} is a link loop`, { cause: err });
      throw err;
    }
    if (!isInside(root, real)) {
      throw new UnsafePathError(`${clean} in ${this.#dir} is a link to ${real}, outside the directory`, clean);
    }
    return real;
  }

  /**
   * Opens `name` if it is a regular file inside the root. After opening, the name is resolved
   * again and must still lead to the very file that was opened (same device and inode), so a
   * link swapped in between the checks and the open is caught.
   */
  async #open(name: string, signal: AbortSignal | undefined): Promise<Opened | undefined> {
    signal?.throwIfAborted();
    const clean = cleanSourceName(name);
    if (clean === '') return undefined;
    const real = await this.#resolve(clean);
    if (real === undefined) return undefined;
    let handle: FileHandle;
    try {
      handle = await open(real, OPEN_FLAGS);
    } catch (err) {
      if (errno(err) === 'ENOENT') return undefined;
      if (errno(err) === 'ELOOP') throw new UnsafePathError(`${clean} in ${this.#dir} became a link while being opened`, clean, { cause: err });
      if (errno(err) === 'EISDIR') return undefined;
      throw err;
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        await handle.close();
        return undefined;
      }
      const again = await this.#resolve(clean);
      const now = again === undefined ? undefined : await stat(again).catch(() => undefined);
      if (!now || now.dev !== stats.dev || now.ino !== stats.ino) {
        throw new UnsafePathError(`${clean} in ${this.#dir} changed while being opened`, clean);
      }
      return { handle, stats, name: clean };
    } catch (err) {
      await handle.close().catch(() => {});
      throw err;
    }
  }

  async stat(name: string, options: FileReadOptions = {}): Promise<FileInfo | undefined> {
    const opened = await this.#open(name, options.signal);
    if (!opened) return undefined;
    await opened.handle.close();
    return { name: opened.name, size: opened.stats.size };
  }

  async #mustOpen(name: string, signal: AbortSignal | undefined): Promise<Opened> {
    const opened = await this.#open(name, signal);
    if (!opened) throw new NotFoundError(`${this.#dir} has no regular file ${JSON.stringify(name)}`);
    return opened;
  }

  async open(name: string, options: FileReadOptions = {}): Promise<Readable> {
    const { handle } = await this.#mustOpen(name, options.signal);
    const stream = handle.createReadStream({ highWaterMark: READ_CHUNK, autoClose: true });
    return options.signal ? addAbortSignal(options.signal, stream) : stream;
  }

  async readFile(name: string, options: ReadFileOptions = {}): Promise<Buffer> {
    const limit = options.limit ?? MANIFEST_LIMIT;
    const { handle, stats, name: clean } = await this.#mustOpen(name, options.signal);
    if (stats.size > limit) {
      await handle.close();
      throw new TooLargeError(`${clean} in ${this.#dir} is ${stats.size} bytes, more than the ${limit}-byte limit`, limit);
    }
    const stream = handle.createReadStream({ highWaterMark: READ_CHUNK, autoClose: true });
    return readAll(stream, { max: limit, what: `${clean} in ${this.#dir}`, signal: options.signal });
  }
}

/**
 * A read-only `FileSource` over the directory `dir`. Nothing is touched until a file is asked
 * for. Links are followed only while they stay inside `dir` (UnsafePathError otherwise, BadTarError
 * for a loop, as the contract says); directories, FIFOs, devices and sockets count as absent.
 * `readFile` caps at 100 MiB (MANIFEST_LIMIT) unless a `limit` is given.
 *
 * @example
 * const source = dirSource('/tmp/my-layout');
 * const index = await source.readFile('index.json');
 */
export function dirSource(dir: string): FileSource {
  return new DirSource(dir);
}
