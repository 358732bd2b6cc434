/**
 * @module The one contract shared by every reader of "a tree of named files" that holds images:
 * an OCI layout directory, an OCI-layout tar, a `docker save` tarball. Readers of layouts and
 * tarballs are written once against it and work over a directory or an archive alike.
 */
import type { Readable } from 'node:stream';

/** Options for reading one file. */
export interface FileReadOptions {
  readonly signal?: AbortSignal;
}

/** Options for reading one small file whole. */
export interface ReadFileOptions extends FileReadOptions {
  /** Refuse (TooLargeError) a file larger than this many bytes. */
  readonly limit?: number;
}

/** What is known about one regular file once links are followed. */
export interface FileInfo {
  /** The name it was asked by, cleaned (no `./`, no duplicate slashes). */
  readonly name: string;
  /** Size in bytes of the file's data. */
  readonly size: number;
}

/**
 * A read-only tree of regular files addressed by slash-separated relative names. Names are
 * cleaned before lookup (`./a//b` is `a/b`); names that are absolute or climb out with `..` are
 * refused with UnsafePathError; links are followed inside the tree only (UnsafePathError for a link
 * out of it, BadTarError for a loop). Every method may be called any number of times and
 * concurrently; each `open` gives a fresh stream.
 */
export interface FileSource {
  /** A short human description for error messages (a path, or "archive <path>"). */
  readonly description: string;
  /** The file's info, or undefined when there is no regular file by that name. */
  stat(name: string, options?: FileReadOptions): Promise<FileInfo | undefined>;
  /** Streams the file's bytes; NotFoundError when absent. */
  open(name: string, options?: FileReadOptions): Promise<Readable>;
  /** Reads a small file whole (a manifest, index.json); NotFoundError when absent. */
  readFile(name: string, options?: ReadFileOptions): Promise<Buffer>;
  /**
   * The file's first bytes, at least enough for `detectCompression` (fewer only when the file is
   * shorter), offered by sources that hold them already, where `open` is costly: a re-read
   * stream would read the archive from its start to sniff one file. NotFoundError when absent.
   * Without it, open the file and read its start.
   */
  head?(name: string, options?: FileReadOptions): Promise<Buffer>;
}
