/**
 * @module The tar header as this package models it (one entry, after PAX and GNU long-name
 * records are merged), and the mapping between entry types and tar typeflags.
 */

/**
 * What an entry is. `'other'` carries any typeflag we do not name (its raw character is in
 * `typeflag`); `'pax-global'` is a PAX global header (`g`), which, like Go's archive/tar, is
 * yielded as an entry of its own and never merged into the entries after it.
 */
export type TarEntryType =
  | 'file'
  | 'link'
  | 'symlink'
  | 'char'
  | 'block'
  | 'directory'
  | 'fifo'
  | 'contiguous'
  | 'pax-global'
  | 'other';

/**
 * The header format, as Go's `tar.Format`. The reader reports what it saw (undefined for V7,
 * STAR and other headers Go calls FormatUnknown); the writer, like Go's, rounds mtime to a second
 * and drops atime/ctime only when it is undefined, and otherwise keeps to the format asked for.
 */
export type TarFormat = 'ustar' | 'pax' | 'gnu';

/**
 * One tar entry's metadata. Omitted fields are Go's zero values (mode 0, ids 0, size 0, mtime the
 * Unix epoch, empty strings), so the same header gives the same bytes as Go's `archive/tar`.
 */
export interface TarHeader {
  /** Path inside the archive; directories conventionally end in `/`. */
  name: string;
  type: TarEntryType;
  /** The raw one-character typeflag; required when `type` is `'other'`, ignored otherwise. */
  typeflag?: string;
  /** Permission and mode bits (`0o755`, setuid …), not the file-type bits. */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Length of the body in bytes; header-only types (links, directories, devices) carry none. */
  size?: number;
  /**
   * Modification time. A Date holds milliseconds; nanoseconds survive a read-then-write because
   * the writer prefers `pax.mtime` when that record names the same millisecond.
   */
  mtime?: Date;
  /** Access time (written only with an explicit `format` of `'pax'` or `'gnu'`, as Go does). */
  atime?: Date;
  /** Status-change time (as `atime`). */
  ctime?: Date;
  uname?: string;
  gname?: string;
  /** Target of a symlink, or the archive path a hard link points to. */
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /**
   * PAX records. On read: every record of the entry's `x` header (like Go's `PAXRecords`). On
   * write: extra records (`comment`, `SCHILY.xattr.*` …); any record forces the PAX format.
   */
  pax?: Record<string, string>;
  format?: TarFormat;
}

/** A header as the reader yields it: every field Go fills is present. */
export interface ParsedTarHeader extends TarHeader {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: Date;
  uname: string;
  gname: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}

const flagOfType: Record<Exclude<TarEntryType, 'other'>, string> = {
  file: '0',
  link: '1',
  symlink: '2',
  char: '3',
  block: '4',
  directory: '5',
  fifo: '6',
  contiguous: '7',
  'pax-global': 'g',
};

const typeOfFlag = new Map<string, TarEntryType>(
  Object.entries(flagOfType).map(([type, flag]) => [flag, type as TarEntryType]),
);

/** The typeflag character for a header's type. */
export function typeflagOf(header: Pick<TarHeader, 'type' | 'typeflag' | 'name'>): string {
  if (header.type === 'other') return header.typeflag ?? '';
  return flagOfType[header.type];
}

/** The entry type for a typeflag character; unknown flags are `'other'`. */
export function typeOfTypeflag(flag: string): TarEntryType {
  return typeOfFlag.get(flag) ?? 'other';
}

/** True for types whose body is always empty, whatever their size field says (Go's isHeaderOnlyType). */
export function isHeaderOnlyFlag(flag: string): boolean {
  return flag === '1' || flag === '2' || flag === '3' || flag === '4' || flag === '5' || flag === '6';
}
