/**
 * @module Which header formats can carry a header, and the PAX records it would need: the rules
 * of Go's `Header.allowedFormats`, which decide whether Go writes USTAR, PAX or GNU. The writer
 * takes the first of USTAR, PAX, GNU that is allowed, as Go does, so the bytes match.
 */
import { InvalidArgumentError } from '../../errors/index.ts';
import { fitsInBase256, fitsInOctal } from './fields.ts';
import { GNU, PAX, USTAR } from './format-set.ts';
import { isHeaderOnlyFlag } from './header.ts';
import {
  BASIC_PAX_KEYS,
  formatPaxTime,
  isValidPaxRecord,
  PAX_ATIME,
  PAX_CTIME,
  PAX_GID,
  PAX_GNAME,
  PAX_LINKPATH,
  PAX_MTIME,
  PAX_PATH,
  PAX_SIZE,
  PAX_UID,
  PAX_UNAME,
  type TarTime,
} from './pax.ts';
import { isAscii, splitUstarPath } from './ustar-strings.ts';

/** A header with every field filled and checked, times exact, ready to encode. */
export interface HeaderFields {
  name: string;
  linkname: string;
  uname: string;
  gname: string;
  /** The one-character typeflag. */
  flag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  devmajor: number;
  devminor: number;
  mtime: TarTime | undefined;
  atime: TarTime | undefined;
  ctime: TarTime | undefined;
  pax: Readonly<Record<string, string>>;
  /** Format bits asked for; 0 lets the writer choose. */
  format: number;
}

/** The formats that can encode a header and the PAX records a PAX encoding must carry. */
export interface FormatChoice {
  formats: number;
  paxRecords: Map<string, string>;
}

/** Returns the allowed formats; throws InvalidArgumentError, with Go's reasons, when there are none. */
export function chooseFormats(h: HeaderFields): FormatChoice {
  let formats = USTAR | PAX | GNU;
  const paxRecords = new Map<string, string>();
  const why = { ustar: '', pax: '', gnu: '', onlyPax: '' };
  let preferPax = false;
  const given = (key: string): string | undefined => (Object.hasOwn(h.pax, key) ? h.pax[key] : undefined);

  const verifyString = (s: string, width: number, label: string, key: string): void => {
    const tooLong = Buffer.byteLength(s) > width;
    // GNU has long-name records for these two only.
    const longGnuOk = key === PAX_PATH || key === PAX_LINKPATH;
    if (s.includes('\0') || (tooLong && !longGnuOk)) {
      why.gnu = `GNU cannot encode ${label}=${JSON.stringify(s)}`;
      formats &= ~GNU;
    }
    if (!isAscii(s) || tooLong) {
      if (key !== PAX_PATH || !splitUstarPath(s)) {
        why.ustar = `USTAR cannot encode ${label}=${JSON.stringify(s)}`;
        formats &= ~USTAR;
      }
      paxRecords.set(key, s);
    }
    if (given(key) === s) paxRecords.set(key, s);
  };

  const verifyNumeric = (n: number, width: number, label: string, key: string | undefined): void => {
    if (!fitsInBase256(width, n)) {
      why.gnu = `GNU cannot encode ${label}=${n}`;
      formats &= ~GNU;
    }
    if (!fitsInOctal(width, n)) {
      why.ustar = `USTAR cannot encode ${label}=${n}`;
      formats &= ~USTAR;
      if (key === undefined) {
        why.pax = `PAX cannot encode ${label}=${n}`;
        formats &= ~PAX;
      } else {
        paxRecords.set(key, String(n));
      }
    }
    if (key !== undefined && given(key) === String(n)) paxRecords.set(key, String(n));
  };

  const verifyTime = (t: TarTime | undefined, width: number, label: string, key: string): void => {
    if (t === undefined) return;
    if (!fitsInBase256(width, t.sec)) {
      why.gnu = `GNU cannot encode ${label}=${formatPaxTime(t)}`;
      formats &= ~GNU;
    }
    const isMtime = key === PAX_MTIME;
    const fitsOctal = fitsInOctal(width, t.sec);
    // USTAR has no atime or ctime field at all.
    if (!isMtime || !fitsOctal) {
      why.ustar = `USTAR cannot encode ${label}=${formatPaxTime(t)}`;
      formats &= ~USTAR;
    }
    // USTAR would keep the whole seconds only; Go then prefers PAX when a format was named.
    if (!isMtime || !fitsOctal || t.nsec !== 0) {
      preferPax = true;
      paxRecords.set(key, formatPaxTime(t));
    }
    if (given(key) === formatPaxTime(t)) paxRecords.set(key, formatPaxTime(t));
  };

  verifyString(h.name, 100, 'name', PAX_PATH);
  verifyString(h.linkname, 100, 'linkname', PAX_LINKPATH);
  verifyString(h.uname, 32, 'uname', PAX_UNAME);
  verifyString(h.gname, 32, 'gname', PAX_GNAME);
  verifyNumeric(h.mode, 8, 'mode', undefined);
  verifyNumeric(h.uid, 8, 'uid', PAX_UID);
  verifyNumeric(h.gid, 8, 'gid', PAX_GID);
  verifyNumeric(h.size, 12, 'size', PAX_SIZE);
  verifyNumeric(h.devmajor, 8, 'devmajor', undefined);
  verifyNumeric(h.devminor, 8, 'devminor', undefined);
  verifyTime(h.mtime, 12, 'mtime', PAX_MTIME);
  verifyTime(h.atime, 12, 'atime', PAX_ATIME);
  verifyTime(h.ctime, 12, 'ctime', PAX_CTIME);

  const fail = (reason: string): never => {
    throw new InvalidArgumentError(`cannot encode tar header for ${JSON.stringify(h.name)}: ${reason}`);
  };
  switch (h.flag) {
    // Links are left out: they may point at directories, whose names end in a slash.
    case '0':
    case '3':
    case '4':
    case '6':
    case 'S':
      if (h.name.endsWith('/')) fail('a file name may not end in "/"');
      break;
    case 'x':
    case 'L':
    case 'K':
      fail(`typeflag ${JSON.stringify(h.flag)} is written by the writer itself, not by callers`);
      break;
    case 'g':
      why.onlyPax = 'only PAX supports global headers';
      formats &= PAX;
      break;
  }
  if (!isHeaderOnlyFlag(h.flag) && h.size < 0) fail(`negative size ${h.size}`);

  const keys = Object.keys(h.pax);
  for (const key of keys) {
    if (paxRecords.has(key)) continue;
    // A caller's record for a basic key must not contradict the header field it stands for.
    if (h.flag === 'g' || (!BASIC_PAX_KEYS.has(key) && !key.startsWith('GNU.sparse.'))) {
      paxRecords.set(key, h.pax[key] ?? '');
    }
  }
  if (keys.length > 0) {
    why.onlyPax = 'only PAX supports PAX records';
    formats &= PAX;
  }
  for (const [key, value] of paxRecords) {
    if (!isValidPaxRecord(key, value)) fail(`invalid PAX record ${JSON.stringify(`${key} = ${value}`)}`);
  }

  if (h.format !== 0) {
    let want = h.format;
    // Asking for PAX allows USTAR too, unless USTAR would lose part of a time.
    if (want & PAX && !preferPax) want |= USTAR;
    formats &= want;
  }
  if (formats === 0) {
    const reasons = [why.ustar, why.pax, why.gnu, why.onlyPax].filter((r) => r !== '');
    fail(reasons.length > 0 ? reasons.join('; ') : 'the format asked for cannot hold it');
  }
  return { formats, paxRecords };
}
