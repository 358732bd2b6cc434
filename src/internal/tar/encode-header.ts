/**
 * @module Turning a TarHeader into header bytes exactly as Go's `tar.Writer.WriteHeader` would:
 * one USTAR block when every field fits, else a PAX `x` header (records sorted) before the block,
 * else GNU `././@LongLink` records before a GNU block. Layer digests depend on these bytes.
 */
import { InvalidArgumentError } from '../../errors/index.ts';
import {
  BLOCK_SIZE,
  blockPadding,
  FIELDS,
  putChecksum,
  putNumeric,
  putOctal,
  putText,
  type Field,
} from './fields.ts';
import { chooseFormats, type HeaderFields } from './format-choice.ts';
import { formatBit, GNU, PAX, USTAR } from './format-set.ts';
import { joinPath, splitPath } from './go-path.ts';
import { typeflagOf, type TarHeader } from './header.ts';
import {
  formatPaxRecord,
  millisToTarTime,
  parsePaxTime,
  tarTimeToMillis,
  PAX_ATIME,
  PAX_CTIME,
  PAX_MTIME,
  type TarTime,
} from './pax.ts';
import { splitUstarPath, toAscii } from './ustar-strings.ts';

/** The largest PAX or long-name record body Go writes or reads (1 MiB). */
export const MAX_SPECIAL_FILE_SIZE = 1 << 20;

/**
 * Returns the header blocks for `header`: any PAX or GNU long-name records first, then the header
 * block itself (for a `'pax-global'` header, only the `g` record). The body, if any, follows these
 * bytes, then zero padding to 512 bytes. Throws InvalidArgumentError for a header no format holds.
 *
 * @example
 * const bytes = encodeHeader({ name: 'etc/hosts', type: 'file', mode: 0o644, size: 12 });
 */
export function encodeHeader(header: TarHeader): Buffer {
  const h = headerFields(header);
  const { formats, paxRecords } = chooseFormats(h);
  if (formats & USTAR) return ustarHeader(h);
  if (formats & PAX) return paxHeader(h, paxRecords);
  return gnuHeader(h);
}

function headerFields(header: TarHeader): HeaderFields {
  const name = header.name;
  const fail = (reason: string): never => {
    throw new InvalidArgumentError(`cannot encode tar header for ${JSON.stringify(name)}: ${reason}`);
  };
  if (typeof name !== 'string') fail('name must be a string');
  const flag = typeflagOf(header);
  if (flag.length !== 1 || flag.charCodeAt(0) > 0xff) fail(`typeflag must be one byte, got ${JSON.stringify(flag)}`);
  const int = (value: number | undefined, label: string): number => {
    const n = value ?? 0;
    if (!Number.isSafeInteger(n)) fail(`${label} must be an integer, got ${String(value)}`);
    return n;
  };
  const pax = header.pax ?? {};
  const format = formatBit(header.format);
  const h: HeaderFields = {
    name,
    linkname: header.linkname ?? '',
    uname: header.uname ?? '',
    gname: header.gname ?? '',
    flag,
    mode: int(header.mode, 'mode'),
    uid: int(header.uid, 'uid'),
    gid: int(header.gid, 'gid'),
    size: int(header.size, 'size'),
    devmajor: int(header.devmajor, 'devmajor'),
    devminor: int(header.devminor, 'devminor'),
    mtime: exactTime(header.mtime, pax[PAX_MTIME], 'mtime', fail),
    atime: exactTime(header.atime, pax[PAX_ATIME], 'atime', fail),
    ctime: exactTime(header.ctime, pax[PAX_CTIME], 'ctime', fail),
    pax,
    format,
  };
  // Go rounds mtime and drops atime/ctime when no format is named, so that plain headers stay
  // USTAR (one block) instead of growing a PAX record for a sub-second time.
  if (format === 0) {
    if (h.mtime) h.mtime = { sec: h.mtime.sec + (h.mtime.nsec >= 5e8 ? 1 : 0), nsec: 0 };
    h.atime = undefined;
    h.ctime = undefined;
  }
  if (flag === 'g') {
    const epochOrUnset = h.mtime === undefined || (h.mtime.sec === 0 && h.mtime.nsec === 0);
    const bare =
      h.linkname === '' && h.uname === '' && h.gname === '' && h.mode === 0 && h.uid === 0 && h.gid === 0 &&
      h.size === 0 && h.devmajor === 0 && h.devminor === 0 && epochOrUnset;
    if (!bare || h.atime || h.ctime) fail('only name and pax may be set on a pax-global header');
  }
  return h;
}

/**
 * The exact time a Date stands for; when a PAX record names the same millisecond, the record's
 * nanoseconds are kept, so that a header read and written again gives the same bytes.
 */
function exactTime(
  date: Date | undefined,
  record: string | undefined,
  label: string,
  fail: (reason: string) => never,
): TarTime | undefined {
  if (date === undefined) return undefined;
  const ms = date instanceof Date ? date.getTime() : NaN;
  if (!Number.isFinite(ms)) fail(`${label} must be a valid Date`);
  if (record !== undefined) {
    const exact = parsePaxTime(record);
    if (exact && tarTimeToMillis(exact) === ms) return exact;
  }
  return millisToTarTime(ms);
}

type PutString = (block: Buffer, field: Field, s: string) => void;
type PutNumber = (block: Buffer, field: Field, n: number) => void;

const rawString: PutString = (block, field, s) => void putText(block, field, s);
const asciiString: PutString = (block, field, s) => void putText(block, field, toAscii(s));
const octal: PutNumber = (block, field, n) => void putOctal(block, field, n);
const numeric: PutNumber = (block, field, n) => void putNumeric(block, field, n);

/** The fields every format shares, as Go's templateV7Plus. */
function templateBlock(h: HeaderFields, name: string, str: PutString, num: PutNumber): Buffer {
  const block = Buffer.alloc(BLOCK_SIZE);
  block[FIELDS.typeflag[0]] = h.flag.charCodeAt(0);
  str(block, FIELDS.name, name);
  str(block, FIELDS.linkname, h.linkname);
  num(block, FIELDS.mode, h.mode);
  num(block, FIELDS.uid, h.uid);
  num(block, FIELDS.gid, h.gid);
  num(block, FIELDS.size, h.size);
  num(block, FIELDS.mtime, h.mtime?.sec ?? 0);
  str(block, FIELDS.uname, h.uname);
  str(block, FIELDS.gname, h.gname);
  num(block, FIELDS.devmajor, h.devmajor);
  num(block, FIELDS.devminor, h.devminor);
  return block;
}

function finishBlock(block: Buffer, format: number): Buffer {
  if (format === GNU) block.write('ustar  \0', FIELDS.magic[0], 'latin1');
  else block.write('ustar\x0000', FIELDS.magic[0], 'latin1');
  putChecksum(block);
  return block;
}

function ustarHeader(h: HeaderFields): Buffer {
  const split = splitUstarPath(h.name);
  const block = templateBlock(h, split?.name ?? h.name, rawString, octal);
  rawString(block, FIELDS.prefix, split?.prefix ?? '');
  return finishBlock(block, USTAR);
}

function paxHeader(h: HeaderFields, records: Map<string, string>): Buffer {
  const isGlobal = h.flag === 'g';
  // Go sorts keys by their bytes; UTF-16 order differs past U+FFFF.
  const keys = [...records.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const data = Buffer.from(keys.map((k) => formatPaxRecord(k, records.get(k) ?? '')).join(''));
  if (data.length > MAX_SPECIAL_FILE_SIZE) {
    throw new InvalidArgumentError(
      `cannot encode tar header for ${JSON.stringify(h.name)}: its PAX records take ${data.length} bytes, over the 1 MiB limit`,
    );
  }
  let name: string;
  if (isGlobal) {
    name = h.name === '' ? 'GlobalHead.0.0' : h.name;
  } else {
    const { dir, file } = splitPath(h.name);
    name = joinPath(dir, 'PaxHeaders.0', file);
  }
  const record = rawFile(name, data, isGlobal ? 'g' : 'x', PAX);
  if (isGlobal) return record;
  const block = templateBlock(h, h.name, asciiString, octal);
  return Buffer.concat([record, finishBlock(block, PAX)]);
}

function gnuHeader(h: HeaderFields): Buffer {
  const parts: Buffer[] = [];
  if (Buffer.byteLength(h.name) > 100) parts.push(rawFile('././@LongLink', Buffer.from(`${h.name}\0`), 'L', GNU));
  if (Buffer.byteLength(h.linkname) > 100) {
    parts.push(rawFile('././@LongLink', Buffer.from(`${h.linkname}\0`), 'K', GNU));
  }
  const block = templateBlock(h, h.name, rawString, numeric);
  if (h.atime) numeric(block, FIELDS.gnuAtime, h.atime.sec);
  if (h.ctime) numeric(block, FIELDS.gnuCtime, h.ctime.sec);
  parts.push(finishBlock(block, GNU));
  return Buffer.concat(parts);
}

/**
 * A metadata pseudo-file (`x`, `g`, `L`, `K`) with its data and padding. Like GNU and BSD tar,
 * Go leaves every other field at its default, and devmajor/devminor all NULs.
 */
function rawFile(name: string, data: Buffer, flag: string, format: number): Buffer {
  const ascii = toAscii(name).slice(0, 100).replace(/\/+$/, '');
  const block = Buffer.alloc(BLOCK_SIZE);
  block[FIELDS.typeflag[0]] = flag.charCodeAt(0);
  asciiString(block, FIELDS.name, ascii);
  putOctal(block, FIELDS.mode, 0);
  putOctal(block, FIELDS.uid, 0);
  putOctal(block, FIELDS.gid, 0);
  putOctal(block, FIELDS.size, data.length);
  putOctal(block, FIELDS.mtime, 0);
  finishBlock(block, format);
  return Buffer.concat([block, data, Buffer.alloc(blockPadding(data.length))]);
}
