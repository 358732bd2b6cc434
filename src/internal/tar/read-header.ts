/**
 * @module Reading the next entry's header from a tar stream: the header block plus any PAX `x`
 * and GNU `L`/`K` records before it, merged as Go's `tar.Reader.Next` merges them, with the
 * format Go would report. Sparse files are refused.
 */
import { BadTarError } from '../../errors/index.ts';
import type { ByteSource } from './byte-source.ts';
import { decodeHeader, isZeroBlock, type RawHeader } from './decode-header.ts';
import { MAX_SPECIAL_FILE_SIZE } from './encode-header.ts';
import { BLOCK_SIZE, blockPadding } from './fields.ts';
import { formatName, GNU, PAX, USTAR } from './format-set.ts';
import { isHeaderOnlyFlag, typeflagOf, typeOfTypeflag, type ParsedTarHeader } from './header.ts';
import { parsePaxRecords, parsePaxTime, tarTimeToMillis, type TarTime } from './pax.ts';

/** A header ready to yield, and how many body bytes follow it. */
export interface NextHeader {
  header: ParsedTarHeader;
  dataSize: number;
}

/**
 * Reads up to and including the next entry's header block. Returns undefined at the end of the
 * archive: two zero blocks, or the stream ending cleanly between entries (which Go accepts too).
 * `previous` names the entry before, for error messages.
 */
export async function readNextHeader(source: ByteSource, previous: string | undefined): Promise<NextHeader | undefined> {
  let format = USTAR | PAX | GNU;
  let pax: Record<string, string> | undefined;
  let longName = '';
  let longLink = '';
  for (;;) {
    const start = source.offset;
    const where = `at byte offset ${start} (${previous === undefined ? 'the first entry' : `after entry ${JSON.stringify(previous)}`})`;
    const block = await source.read(BLOCK_SIZE);
    if (block.length === 0 && pax === undefined && longName === '' && longLink === '') return undefined;
    if (block.length < BLOCK_SIZE) throw new BadTarError(`tar stream ends inside a header ${where}`);
    if (isZeroBlock(block)) {
      const second = await source.read(BLOCK_SIZE);
      if (second.length === 0 || (second.length === BLOCK_SIZE && isZeroBlock(second))) return undefined;
      throw new BadTarError(`tar stream has a zero block followed by data ${where}`);
    }
    const raw = decodeHeader(block, where);
    const nameForErrors = JSON.stringify(longName || raw.name);
    if (!isHeaderOnlyFlag(raw.flag) && raw.size < 0) {
      throw new BadTarError(`tar entry ${nameForErrors} has a negative size ${where}`);
    }
    format &= raw.format;
    switch (raw.flag) {
      case 'x':
      case 'g': {
        format &= PAX;
        const parsed = parsePaxRecords(await readSpecialFile(source, raw, where));
        if ('error' in parsed) throw new BadTarError(`${parsed.error}, in the PAX header ${where}`);
        if (raw.flag === 'g') return { header: globalHeader(raw, parsed.records, format), dataSize: 0 };
        pax = parsed.records;
        continue;
      }
      case 'L':
      case 'K': {
        format &= GNU;
        const data = await readSpecialFile(source, raw, where);
        const nul = data.indexOf(0);
        const value = data.toString('utf8', 0, nul < 0 ? data.length : nul);
        if (raw.flag === 'L') longName = value;
        else longLink = value;
        continue;
      }
      case 'S':
        throw new BadTarError(`tar entry ${nameForErrors} is a GNU sparse file, which is not supported ${where}`);
    }
    const header = mergeHeader(raw, pax, where);
    if (longName !== '') header.name = longName;
    if (longLink !== '') header.linkname = longLink;
    if (raw.flag === '\0') {
      // Old archives mark regular files with NUL, and directories only by a trailing slash.
      header.type = header.name.endsWith('/') ? 'directory' : 'file';
      delete header.typeflag;
    }
    if (pax && isSparse(pax)) {
      throw new BadTarError(`tar entry ${JSON.stringify(header.name)} is a GNU sparse file, which is not supported ${where}`);
    }
    const headerOnly = isHeaderOnlyFlag(typeflagOf(header));
    if (!headerOnly && header.size < 0) {
      throw new BadTarError(`tar entry ${JSON.stringify(header.name)} has a negative size ${where}`);
    }
    // A USTAR block could also be PAX without records; Go then calls it USTAR.
    if (format & USTAR && format & PAX) format &= USTAR;
    const name = formatName(format);
    if (name !== undefined) header.format = name;
    return { header, dataSize: headerOnly ? 0 : header.size };
  }
}

/** The body of an `x`, `g`, `L` or `K` record, capped at 1 MiB as in Go. */
async function readSpecialFile(source: ByteSource, raw: RawHeader, where: string): Promise<Buffer> {
  if (raw.size > MAX_SPECIAL_FILE_SIZE) {
    throw new BadTarError(`tar metadata record of ${raw.size} bytes is over the 1 MiB limit ${where}`);
  }
  const data = await source.read(raw.size);
  const pad = blockPadding(raw.size);
  if (data.length < raw.size || (await source.skip(pad)) < pad) {
    throw new BadTarError(`tar stream ends inside a metadata record ${where}`);
  }
  return data;
}

function dateOf(t: TarTime, label: string, name: string, where: string): Date {
  const date = new Date(tarTimeToMillis(t));
  if (Number.isNaN(date.getTime())) {
    throw new BadTarError(`tar entry ${JSON.stringify(name)} has ${label} ${t.sec}s, beyond what a Date holds, ${where}`);
  }
  return date;
}

/** The header with its PAX records applied (Go's mergePAX; empty values keep the block's). */
function mergeHeader(raw: RawHeader, pax: Record<string, string> | undefined, where: string): ParsedTarHeader {
  const type = typeOfTypeflag(raw.flag);
  let mtime: TarTime = { sec: raw.mtime, nsec: 0 };
  let atime: TarTime | undefined = raw.atime === undefined ? undefined : { sec: raw.atime, nsec: 0 };
  let ctime: TarTime | undefined = raw.ctime === undefined ? undefined : { sec: raw.ctime, nsec: 0 };
  const header: ParsedTarHeader = {
    name: raw.name,
    type,
    mode: raw.mode,
    uid: raw.uid,
    gid: raw.gid,
    size: raw.size,
    mtime: new Date(0),
    uname: raw.uname,
    gname: raw.gname,
    linkname: raw.linkname,
    devmajor: raw.devmajor,
    devminor: raw.devminor,
  };
  if (type === 'other') header.typeflag = raw.flag;
  const records = pax ?? {};
  const bad = (key: string, value: string): never => {
    throw new BadTarError(`tar entry ${JSON.stringify(header.name)} has an invalid PAX ${key} ${JSON.stringify(value)} ${where}`);
  };
  const integer = (key: string, value: string): number => {
    const n = /^[+-]?\d+$/.test(value) ? Number(value) : NaN;
    return Number.isSafeInteger(n) ? n : bad(key, value);
  };
  const time = (key: string, value: string): TarTime => parsePaxTime(value) ?? bad(key, value);
  for (const [key, value] of Object.entries(records)) {
    if (value === '') continue;
    switch (key) {
      case 'path':
        header.name = value;
        break;
      case 'linkpath':
        header.linkname = value;
        break;
      case 'uname':
        header.uname = value;
        break;
      case 'gname':
        header.gname = value;
        break;
      case 'uid':
        header.uid = integer(key, value);
        break;
      case 'gid':
        header.gid = integer(key, value);
        break;
      case 'size':
        header.size = integer(key, value);
        break;
      case 'mtime':
        mtime = time(key, value);
        break;
      case 'atime':
        atime = time(key, value);
        break;
      case 'ctime':
        ctime = time(key, value);
        break;
    }
  }
  header.mtime = dateOf(mtime, 'mtime', header.name, where);
  if (atime) header.atime = dateOf(atime, 'atime', header.name, where);
  if (ctime) header.ctime = dateOf(ctime, 'ctime', header.name, where);
  if (Object.keys(records).length > 0) header.pax = records;
  return header;
}

/** A `g` header is an entry of its own, as Go returns it: a name, its records and a format. */
function globalHeader(raw: RawHeader, records: Record<string, string>, format: number): ParsedTarHeader {
  const header: ParsedTarHeader = {
    name: records['path'] || raw.name,
    type: 'pax-global',
    mode: 0,
    uid: 0,
    gid: 0,
    size: 0,
    mtime: new Date(0),
    uname: '',
    gname: '',
    linkname: '',
    devmajor: 0,
    devminor: 0,
    pax: records,
  };
  const name = formatName(format);
  if (name !== undefined) header.format = name;
  return header;
}

/** Go reads these GNU sparse layouts; we refuse them rather than yield a wrong body. */
function isSparse(pax: Record<string, string>): boolean {
  const major = pax['GNU.sparse.major'];
  const minor = pax['GNU.sparse.minor'];
  if (major === '0' && (minor === '0' || minor === '1')) return true;
  if (major === '1' && minor === '0') return true;
  if (major !== undefined || minor !== undefined) return false;
  return 'GNU.sparse.map' in pax || 'GNU.sparse.offset' in pax || 'GNU.sparse.numbytes' in pax;
}
