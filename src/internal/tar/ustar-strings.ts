/**
 * @module What fits in the ASCII string fields of a USTAR header: the ASCII test, Go's lossy
 * ASCII fallback for PAX headers, and the prefix/name split for paths over 100 bytes.
 */

const nonAscii = /[^\x01-\x7f]/;
const nonAsciiAll = /[^\x01-\x7f]/g;

/** True when every character is ASCII and none is NUL (Go's isASCII). */
export function isAscii(s: string): boolean {
  return !nonAscii.test(s);
}

/** Drops non-ASCII characters and NULs (Go's toASCII: the best a USTAR field can do). */
export function toAscii(s: string): string {
  return s.replace(nonAsciiAll, '');
}

/**
 * Splits a path over 100 bytes into USTAR's `prefix` (≤155) and `name` (≤100) at a slash, or
 * returns undefined when it cannot be split (Go's splitUSTARPath).
 */
export function splitUstarPath(path: string): { prefix: string; name: string } | undefined {
  let length = path.length;
  if (length <= 100 || !isAscii(path)) return undefined;
  if (length > 156) length = 156;
  else if (path[length - 1] === '/') length--;
  const i = path.lastIndexOf('/', length - 1);
  const nameLength = path.length - i - 1;
  if (i <= 0 || nameLength > 100 || nameLength === 0 || i > 155) return undefined;
  return { prefix: path.slice(0, i), name: path.slice(i + 1) };
}
