/**
 * @module The 512-byte tar header block: where each field sits, and how strings and numbers are
 * put into and taken out of fields, byte for byte as Go's archive/tar does (strconv.go).
 */

export const BLOCK_SIZE = 512;

/** A field of the header block as [offset, width]. */
export type Field = readonly [offset: number, width: number];

/** Field positions shared by V7, USTAR, GNU and STAR headers, with each format's extras. */
export const FIELDS = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
  gnuAtime: [345, 12],
  gnuCtime: [357, 12],
  starPrefix: [345, 131],
  starAtime: [476, 12],
  starCtime: [488, 12],
  starTrailer: [508, 4],
} as const satisfies Record<string, Field>;

/** Bytes a body of `size` needs after it to reach a block boundary (0–511). */
export function blockPadding(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}

/**
 * Copies `bytes` into the field, NUL-terminating when there is room (Go's formatString). Returns
 * false when the value was cut short. A cut value must not end in `/` in the name field, because
 * some readers then take a regular file for a directory; Go drops the slashes, and so do we.
 */
export function putString(block: Buffer, [offset, width]: Field, bytes: Buffer): boolean {
  bytes.copy(block, offset, 0, Math.min(bytes.length, width));
  if (bytes.length < width) block[offset + bytes.length] = 0;
  if (bytes.length <= width) return true;
  if (block[offset + width - 1] === 0x2f) {
    let end = width;
    while (end > 0 && bytes[end - 1] === 0x2f) end--;
    block[offset + end] = 0;
  }
  return false;
}

/** 8 ** (width - 1) for the field widths tar uses, computed once. */
const octalLimits = Array.from({ length: 22 }, (_, width) => 8 ** Math.max(width - 1, 0));

/** 2 ** ((width - 1) * 8) for widths up to 8, computed once. */
const base256Limits = Array.from({ length: 9 }, (_, width) => 2 ** (Math.max(width - 1, 0) * 8));

/** True when `x` fits the field as zero-padded octal with a NUL terminator. */
export function fitsInOctal(width: number, x: number): boolean {
  return x >= 0 && (width >= 22 || x < (octalLimits[width] ?? 0));
}

/** True when `x` fits the field in GNU base-256 (two's complement, top bit set). */
export function fitsInBase256(width: number, x: number): boolean {
  if (width >= 9) return true;
  const limit = base256Limits[width] ?? 0;
  return x >= -limit && x < limit;
}

/** Writes zero-padded octal and a NUL; a value that does not fit is written as 0 and false returned. */
export function putOctal(block: Buffer, field: Field, x: number): boolean {
  const [offset, width] = field;
  const fits = fitsInOctal(width, x);
  const digits = (fits ? x : 0).toString(8);
  // fitsInOctal leaves room for the NUL, so the digits never need cutting.
  const pad = width - 1 - digits.length;
  block.fill(0x30, offset, offset + pad);
  block.write(digits, offset + pad, 'latin1');
  block[offset + width - 1] = 0;
  return fits;
}

/** putString for a JavaScript string, encoded as UTF-8; writes in place when it fits. */
export function putText(block: Buffer, field: Field, text: string): boolean {
  const length = Buffer.byteLength(text);
  if (length > field[1]) return putString(block, field, Buffer.from(text));
  block.write(text, field[0], length, 'utf8');
  if (length < field[1]) block[field[0] + length] = 0;
  return true;
}

/** Writes octal when it fits, else GNU base-256; as a last resort 0 (and returns false). */
export function putNumeric(block: Buffer, field: Field, x: number): boolean {
  if (fitsInOctal(field[1], x)) return putOctal(block, field, x);
  if (!fitsInBase256(field[1], x)) {
    putOctal(block, field, 0);
    return false;
  }
  const [offset, width] = field;
  let v = BigInt(x);
  for (let i = width - 1; i >= 0; i--) {
    block[offset + i] = Number(v & 0xffn);
    v >>= 8n;
  }
  block[offset] = (block[offset] ?? 0) | 0x80;
  return true;
}

/** The field's bytes up to the first NUL, as UTF-8. */
export function getString(block: Buffer, [offset, width]: Field): string {
  const end = block.indexOf(0, offset);
  return block.toString('utf8', offset, end >= 0 && end < offset + width ? end : offset + width);
}

/**
 * Parses a numeric field, base-256 when its top bit is set, else octal padded with spaces or
 * NULs. Returns NaN when the field does not parse or is beyond JavaScript's safe integers.
 */
export function getNumeric(block: Buffer, field: Field): number {
  const [offset, width] = field;
  const first = block[offset] ?? 0;
  if ((first & 0x80) === 0) return getOctal(block, field);
  const invert = first & 0x40 ? 0xff : 0;
  let x = 0n;
  for (let i = 0; i < width; i++) {
    let c = (block[offset + i] ?? 0) ^ invert;
    if (i === 0) c &= 0x7f;
    if (x >> 56n > 0n) return NaN;
    x = (x << 8n) | BigInt(c);
  }
  if (x >> 63n > 0n) return NaN;
  const value = invert ? -x - 1n : x;
  return value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER) ? NaN : Number(value);
}

/** Parses an octal field the way Go does: trim spaces and NULs, stop at a NUL, digits 0–7 only. */
export function getOctal(block: Buffer, [offset, width]: Field): number {
  let start = offset;
  let end = offset + width;
  while (start < end && (block[start] === 0x20 || block[start] === 0)) start++;
  while (end > start && (block[end - 1] === 0x20 || block[end - 1] === 0)) end--;
  const nul = block.indexOf(0, start);
  if (nul >= 0 && nul < end) end = nul;
  if (start === end) return 0;
  let x = 0;
  for (let i = start; i < end; i++) {
    const c = block[i] ?? 0;
    if (c < 0x30 || c > 0x37) return NaN;
    x = x * 8 + (c - 0x30);
  }
  return Number.isSafeInteger(x) ? x : NaN;
}

/**
 * Sums the block with the checksum field counted as spaces. POSIX sums unsigned bytes; old Sun
 * tar summed signed ones, so readers accept either.
 */
export function checksums(block: Buffer): { unsigned: number; signed: number } {
  let unsigned = 8 * 0x20;
  let high = 0; // bytes ≥ 0x80, each 256 less when summed as signed
  for (let i = 0; i < BLOCK_SIZE; i++) {
    if (i === 148) i = 156;
    const c = block[i] as number;
    unsigned += c;
    high += c >> 7;
  }
  return { unsigned, signed: unsigned - 256 * high };
}

/** Fills in the checksum as Go does: six octal digits, NUL, space. */
export function putChecksum(block: Buffer): void {
  putOctal(block, [148, 7], checksums(block).unsigned);
  block[155] = 0x20;
}
