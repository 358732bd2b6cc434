/**
 * @module Reading one 512-byte header block: checksum, format guess from the magic, and fields,
 * with Go's archive/tar leniency (signed checksums, space-padded numbers, the GNU prefix quirk
 * of Go before 1.8) so that we accept what Go accepts and report the same format.
 */
import { BadTarError } from '../../errors/index.ts';
import { checksums, FIELDS, getNumeric, getOctal, getString, type Field } from './fields.ts';
import { GNU, PAX, STAR, USTAR, V7 } from './format-set.ts';
import { isAscii } from './ustar-strings.ts';

/** A header block's fields, before PAX and GNU long-name records are applied. */
export interface RawHeader {
  flag: string;
  name: string;
  linkname: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
  atime?: number;
  ctime?: number;
  /** Format bits as Go's readHeader sets them: 0 where Go says FormatUnknown. */
  format: number;
}

/** True when every byte of the block is zero (the end-of-archive marker). */
export function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function isAsciiBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if ((block[i] ?? 0) >= 0x80) return false;
  return true;
}

/** The format family a block claims, after its checksum is verified; 0 for a bad checksum. */
function blockFormat(block: Buffer): number {
  const stored = getOctal(block, FIELDS.checksum);
  const { unsigned, signed } = checksums(block);
  if (Number.isNaN(stored) || (stored !== unsigned && stored !== signed)) return 0;
  const magic = block.toString('latin1', 257, 263);
  if (magic === 'ustar\0') return block.toString('latin1', 508, 512) === 'tar\0' ? STAR : USTAR | PAX;
  if (magic === 'ustar ' && block.toString('latin1', 263, 265) === ' \0') return GNU;
  return V7;
}

/**
 * Decodes a header block. `where` ends each error message, e.g. `at byte offset 1536 (after
 * entry "a.txt")`. Throws BadTarError for a bad checksum or an unparsable number.
 */
export function decodeHeader(block: Buffer, where: string): RawHeader {
  const family = blockFormat(block);
  if (family === 0) {
    const stored = block.toString('latin1', 148, 156).replace(/\0/g, ' ').trim();
    throw new BadTarError(
      `invalid tar header checksum (stored ${JSON.stringify(stored)}, computed ${checksums(block).unsigned.toString(8)}) ${where}`,
    );
  }
  const number = (field: Field, label: string): number => {
    const n = getNumeric(block, field);
    if (Number.isNaN(n)) {
      const text = JSON.stringify(block.toString('latin1', field[0], field[0] + field[1]));
      throw new BadTarError(`invalid ${label} field ${text} in tar header ${where}`);
    }
    return n;
  };
  const h: RawHeader = {
    flag: String.fromCharCode(block[FIELDS.typeflag[0]] ?? 0),
    name: getString(block, FIELDS.name),
    linkname: getString(block, FIELDS.linkname),
    size: number(FIELDS.size, 'size'),
    mode: number(FIELDS.mode, 'mode'),
    uid: number(FIELDS.uid, 'uid'),
    gid: number(FIELDS.gid, 'gid'),
    mtime: number(FIELDS.mtime, 'mtime'),
    uname: '',
    gname: '',
    devmajor: 0,
    devminor: 0,
    format: 0,
  };
  if (family === V7) return h;

  h.uname = getString(block, FIELDS.uname);
  h.gname = getString(block, FIELDS.gname);
  h.devmajor = number(FIELDS.devmajor, 'devmajor');
  h.devminor = number(FIELDS.devminor, 'devminor');
  let prefix = '';
  if (family & (USTAR | PAX)) {
    h.format = family;
    prefix = getString(block, FIELDS.prefix);
    // Go calls a block USTAR only if it is strictly so: all ASCII, numbers NUL-terminated.
    const numbersEndInNul = [FIELDS.size, FIELDS.mode, FIELDS.uid, FIELDS.gid, FIELDS.mtime, FIELDS.devmajor, FIELDS.devminor]
      .every(([offset, width]) => block[offset + width - 1] === 0);
    if (!numbersEndInNul || !isAsciiBlock(block)) h.format = 0;
  } else if (family === STAR) {
    prefix = getString(block, FIELDS.starPrefix);
    h.atime = number(FIELDS.starAtime, 'atime');
    h.ctime = number(FIELDS.starCtime, 'ctime');
  } else {
    h.format = GNU;
    const atime = block[FIELDS.gnuAtime[0]] !== 0 ? getNumeric(block, FIELDS.gnuAtime) : undefined;
    const ctime = block[FIELDS.gnuCtime[0]] !== 0 ? getNumeric(block, FIELDS.gnuCtime) : undefined;
    if (Number.isNaN(atime) || Number.isNaN(ctime)) {
      // Go before 1.8 wrote a USTAR prefix into GNU headers (golang/go#12594); such a header is
      // read with that prefix and is not GNU.
      const legacy = getString(block, FIELDS.prefix);
      if (isAscii(legacy)) prefix = legacy;
      h.format = 0;
    } else {
      if (atime !== undefined) h.atime = atime;
      if (ctime !== undefined) h.ctime = ctime;
    }
  }
  if (prefix !== '') h.name = `${prefix}/${h.name}`;
  return h;
}
