/**
 * @module PAX extended-header records (`"%d %s=%s\n"`) and PAX timestamps (`seconds.fraction`),
 * formatted and parsed exactly as Go's archive/tar does, since their bytes end up in digests.
 */

/** A point in time with nanoseconds, which a Date cannot hold; `nsec` is in [0, 1e9). */
export interface TarTime {
  sec: number;
  nsec: number;
}

/** PAX keys Go's archive/tar maps onto header fields. */
export const PAX_PATH = 'path';
export const PAX_LINKPATH = 'linkpath';
export const PAX_SIZE = 'size';
export const PAX_UID = 'uid';
export const PAX_GID = 'gid';
export const PAX_UNAME = 'uname';
export const PAX_GNAME = 'gname';
export const PAX_MTIME = 'mtime';
export const PAX_ATIME = 'atime';
export const PAX_CTIME = 'ctime';

/** Keys with a header field behind them; a caller's record for one of these never overrides the field. */
export const BASIC_PAX_KEYS: ReadonlySet<string> = new Set([
  PAX_PATH,
  PAX_LINKPATH,
  PAX_SIZE,
  PAX_UID,
  PAX_GID,
  PAX_UNAME,
  PAX_GNAME,
  PAX_MTIME,
  PAX_ATIME,
  PAX_CTIME,
]);

/**
 * Go's rule: keys are non-empty and have no `=`; NUL is refused in the string fields' values and
 * in every other key (values of other keys, such as xattrs, may hold any byte).
 */
export function isValidPaxRecord(key: string, value: string): boolean {
  if (key === '' || key.includes('=')) return false;
  if (key === PAX_PATH || key === PAX_LINKPATH || key === PAX_UNAME || key === PAX_GNAME) return !value.includes('\0');
  return !key.includes('\0');
}

/** One record, its length prefix counting itself. */
export function formatPaxRecord(key: string, value: string): string {
  const body = Buffer.byteLength(key) + Buffer.byteLength(value) + 3; // ' ', '=', '\n'
  let size = body + String(body).length;
  let record = `${size} ${key}=${value}\n`;
  // Adding the length's own digits can carry it to one more digit (e.g. 98 → 100).
  const actual = Buffer.byteLength(record);
  if (actual !== size) {
    size = actual;
    record = `${size} ${key}=${value}\n`;
  }
  return record;
}

/** Sets a record without letting a `__proto__` key reach the prototype. */
export function setRecord(records: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__') Object.defineProperty(records, key, { value, enumerable: true, writable: true, configurable: true });
  else records[key] = value;
}

/**
 * Parses the body of an `x` or `g` header. Returns a description of the first malformed record
 * instead of records when the data is bad.
 */
export function parsePaxRecords(data: Buffer): { records: Record<string, string> } | { error: string } {
  const records: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) return { error: `PAX record at byte ${pos} has no length` };
    const lengthText = data.toString('latin1', pos, space);
    const length = /^[+-]?\d{1,16}$/.test(lengthText) ? Number(lengthText) : NaN;
    if (!(length >= 5 && length <= data.length - pos && length > space - pos + 1)) {
      return { error: `PAX record at byte ${pos} has a bad length ${JSON.stringify(lengthText)}` };
    }
    const end = pos + length;
    if (data[end - 1] !== 0x0a) return { error: `PAX record at byte ${pos} does not end in a newline` };
    const equals = data.indexOf(0x3d, space + 1);
    if (equals < 0 || equals >= end - 1) return { error: `PAX record at byte ${pos} has no "="` };
    const key = data.toString('utf8', space + 1, equals);
    const value = data.toString('utf8', equals + 1, end - 1);
    if (!isValidPaxRecord(key, value)) return { error: `PAX record ${JSON.stringify(key)} is not allowed` };
    setRecord(records, key, value);
    pos = end;
  }
  return { records };
}

/** `seconds[.fraction]`, trailing zeros of the fraction dropped (Go's formatPAXTime). */
export function formatPaxTime(t: TarTime): string {
  if (t.nsec === 0) return String(t.sec);
  let { sec, nsec } = t;
  let sign = '';
  if (sec < 0) {
    // A negative time is written as -(|whole| . fraction), not as a negative whole plus a fraction.
    sign = '-';
    sec = -(sec + 1);
    nsec = 1e9 - nsec;
  }
  return `${sign}${sec}.${String(nsec).padStart(9, '0')}`.replace(/0+$/, '');
}

/** Parses a PAX time (Go's parsePAXTime); undefined when malformed or beyond safe integers. */
export function parsePaxTime(text: string): TarTime | undefined {
  const dot = text.indexOf('.');
  const whole = dot < 0 ? text : text.slice(0, dot);
  let fraction = dot < 0 ? '' : text.slice(dot + 1);
  if (!/^[+-]?\d+$/.test(whole) || !/^\d*$/.test(fraction)) return undefined;
  const sec = Number(whole) + 0; // + 0 turns "-0" into 0
  if (!Number.isSafeInteger(sec)) return undefined;
  if (fraction === '') return { sec, nsec: 0 };
  fraction = fraction.length < 9 ? fraction.padEnd(9, '0') : fraction.slice(0, 9);
  const nsec = Number(fraction);
  if (whole.startsWith('-') && nsec > 0) return { sec: sec - 1, nsec: 1e9 - nsec };
  return { sec, nsec };
}

/** Milliseconds since the epoch, the most a Date can hold, rounding down. */
export function tarTimeToMillis(t: TarTime): number {
  return t.sec * 1000 + Math.floor(t.nsec / 1e6);
}

/** The exact time a Date stands for. */
export function millisToTarTime(ms: number): TarTime {
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: (ms - sec * 1000) * 1e6 };
}
