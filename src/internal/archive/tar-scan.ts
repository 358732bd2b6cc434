/**
 * @module Walking a tar archive's headers once and recording where each entry's data lies,
 * without reading the data: by seeking in a file (only header blocks are read), or by skipping
 * through a stream. The headers are parsed by internal/tar's own header reader, so an archive is
 * understood exactly as `readTar` understands it; `readTar` itself does not report offsets.
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { BadTarError } from '../../errors/index.ts';
import { detectCompression, MAGIC_LENGTH } from '../compression/detect.ts';
import { ByteSource } from '../tar/byte-source.ts';
import { blockPadding } from '../tar/fields.ts';
import type { TarEntryType } from '../tar/header.ts';
import { readNextHeader } from '../tar/read-header.ts';

/** One entry as found in the archive, before its name is cleaned. */
export interface ScannedEntry {
  /** The name as the header (with PAX and GNU long names applied) gives it. */
  readonly rawName: string;
  readonly type: TarEntryType;
  /** Target of a symlink or hard link; empty for other types. */
  readonly linkname: string;
  /** Where the entry's first header block (PAX and GNU records included) starts. */
  readonly headerOffset: number;
  /** Where its data starts. */
  readonly dataOffset: number;
  /** Bytes of data (0 for links, directories and devices). */
  readonly size: number;
  /**
   * The data's first `HEAD_LENGTH` bytes (fewer when the data is shorter), kept so that sniffing
   * a file's compression needs no second read: for a re-read stream that would mean reading the
   * archive again from its start.
   */
  readonly head: Buffer;
}

/** Bytes of each entry's data a scan keeps: enough for every compression's magic number. */
export const HEAD_LENGTH = MAGIC_LENGTH;

/** Header blocks are small; a read this size usually holds a whole header with its PAX record. */
const HEADER_READ_BYTES = 16 * 1024;

function record(
  header: { name: string; type: TarEntryType; linkname: string },
  headerOffset: number,
  dataOffset: number,
  size: number,
  head: Buffer,
): ScannedEntry {
  return { rawName: header.name, type: header.type, linkname: header.linkname, headerOffset, dataOffset, size, head };
}

/** The first bytes of an entry's data, copied: a slice would keep its whole chunk alive with the index. */
async function readHead(source: ByteSource, dataSize: number): Promise<Buffer> {
  return Buffer.from(await source.read(Math.min(HEAD_LENGTH, dataSize)));
}

function truncated(where: string, name: string, headerOffset: number, dataOffset: number, size: number, end: number): BadTarError {
  return new BadTarError(
    `${where} is truncated: entry ${JSON.stringify(name)} (header at byte offset ${headerOffset}) has ${size} bytes of data ` +
      `from byte offset ${dataOffset}, padded to a 512-byte block, but the archive ends at byte ${end}`,
  );
}

/**
 * The file's bytes from `start`, by positional reads. (A FileHandle's own read streams close the
 * handle once they reach the end of the file, whatever `autoClose` says, which would end the scan.)
 */
async function* readFrom(fh: FileHandle, start: number, fileSize: number): AsyncGenerator<Buffer> {
  let position = start;
  while (position < fileSize) {
    const buffer = Buffer.allocUnsafe(Math.min(HEADER_READ_BYTES, fileSize - position));
    const { bytesRead } = await fh.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/**
 * A compressed archive (`docker save | gzip`) fails on its first header; say what it is instead
 * of reporting a checksum. Archives are read uncompressed, as docker and ggcr read them.
 */
async function explainCompressed(fh: FileHandle, where: string, cause: unknown): Promise<void> {
  const head = Buffer.alloc(MAGIC_LENGTH);
  const { bytesRead } = await fh.read(head, 0, MAGIC_LENGTH, 0);
  const kind = detectCompression(head.subarray(0, bytesRead));
  if (kind !== 'none') {
    throw new BadTarError(`${where} is ${kind}-compressed, not a tar archive: decompress it first (e.g. ${kind === 'gzip' ? 'gunzip' : 'zstd -d'})`, { cause });
  }
}

/** The header reader's errors name offsets but not the archive; say which archive. */
function inArchive(err: unknown, where: string): unknown {
  if (!(err instanceof BadTarError) || err.message.startsWith(where)) return err;
  return new BadTarError(`${where}: ${err.message}`, { cause: err });
}

/**
 * Scans an archive held in a file of `fileSize` bytes. Only header blocks and the few bytes of
 * data after each (`head`) are read: the rest of each entry's data is stepped over by offset, and
 * an entry whose data (or its padding) would run past the end of the file is reported as
 * truncation. `where` names the archive in errors.
 */
export async function scanFile(fh: FileHandle, fileSize: number, where: string, signal?: AbortSignal): Promise<ScannedEntry[]> {
  const entries: ScannedEntry[] = [];
  let position = 0;
  let previous: string | undefined;
  for (;;) {
    signal?.throwIfAborted();
    // Go's reader, like ours, accepts an archive that stops cleanly between entries.
    if (position >= fileSize) break;
    const source = new ByteSource(Readable.from(readFrom(fh, position, fileSize), { objectMode: false }));
    // Offsets in the header reader's messages are then offsets in the file.
    source.offset = position;
    let next: Awaited<ReturnType<typeof readNextHeader>>;
    let dataOffset: number;
    let head: Buffer;
    try {
      next = await readNextHeader(source, previous);
      dataOffset = source.offset;
      // Usually already in the block read with the header.
      head = next === undefined ? Buffer.alloc(0) : await readHead(source, next.dataSize);
    } catch (err) {
      if (position === 0) await explainCompressed(fh, where, err);
      throw inArchive(err, where);
    } finally {
      await source.close();
    }
    if (next === undefined) break;
    const { header, dataSize } = next;
    const end = dataOffset + dataSize + blockPadding(dataSize);
    if (end > fileSize) throw truncated(where, header.name, position, dataOffset, dataSize, fileSize);
    if (header.type !== 'pax-global') entries.push(record(header, position, dataOffset, dataSize, head));
    previous = header.name;
    position = end;
  }
  return entries;
}

/**
 * Scans an archive from a stream, reading (and discarding) the data of every entry. Stops at
 * the end-of-archive marker and destroys the stream; an abort destroys it with the reason.
 */
export async function scanStream(stream: Readable, where: string, signal?: AbortSignal): Promise<ScannedEntry[]> {
  signal?.throwIfAborted();
  const onAbort = (): void => {
    stream.destroy(signal?.reason as Error);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const source = new ByteSource(stream);
  const entries: ScannedEntry[] = [];
  let previous: string | undefined;
  try {
    for (;;) {
      const headerOffset = source.offset;
      const next = await readNextHeader(source, previous);
      if (next === undefined) break;
      const { header, dataSize } = next;
      const dataOffset = source.offset;
      const want = dataSize + blockPadding(dataSize);
      const head = await readHead(source, dataSize);
      const got = head.length + (await source.skip(want - head.length));
      if (got < want) throw truncated(where, header.name, headerOffset, dataOffset, dataSize, dataOffset + got);
      if (header.type !== 'pax-global') entries.push(record(header, headerOffset, dataOffset, dataSize, head));
      previous = header.name;
    }
  } catch (err) {
    throw signal?.aborted ? signal.reason : inArchive(err, where);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await source.close();
  }
  return entries;
}
