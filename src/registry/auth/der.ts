/**
 * @module A minimal DER (ASN.1 distinguished encoding) writer: just the types an X.509
 * certificate and an ECDSA signature need. Every function returns the complete encoding of one
 * value (tag, length, contents), so structures nest by passing encodings in.
 */
import { InvalidArgumentError } from '../../errors/index.ts';

/** Tag, definite length, contents. */
export function tlv(tag: number, contents: Buffer): Buffer {
  const n = contents.length;
  let length: Buffer;
  if (n < 0x80) {
    length = Buffer.from([n]);
  } else {
    const bytes: number[] = [];
    for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, contents]);
}

/** SEQUENCE of already-encoded items, in order. */
export function sequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

/** SET of already-encoded items (a Name's RDN has one, so no DER sorting is needed). */
export function set(...items: Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

/** A non-negative INTEGER from its big-endian magnitude (leading zeros are trimmed as DER wants). */
export function unsignedInteger(magnitude: Buffer | number): Buffer {
  let bytes = typeof magnitude === 'number' ? numberBytes(magnitude) : magnitude;
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  // A set top bit would read as negative; DER then needs one zero byte in front.
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

function numberBytes(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError(`DER integer must be a non-negative safe integer, got ${n}`);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from(bytes);
}

/** BOOLEAN; DER writes true as 0xff. */
export function boolean(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

/** NULL, the parameters of RSA algorithm identifiers. */
export function nullValue(): Buffer {
  return Buffer.from([0x05, 0x00]);
}

/** An OBJECT IDENTIFIER from its dotted form (`1.2.840.113549.1.1.11`). */
export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map((arc) => {
    if (!/^\d+$/.test(arc)) throw new InvalidArgumentError(`object identifier ${JSON.stringify(dotted)} has a bad arc`);
    return Number(arc);
  });
  if (arcs.length < 2) throw new InvalidArgumentError(`object identifier ${JSON.stringify(dotted)} needs two arcs or more`);
  const bytes: number[] = [];
  const encodeArc = (arc: number): void => {
    const groups = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) groups.unshift((rest & 0x7f) | 0x80);
    bytes.push(...groups);
  };
  encodeArc(arcs[0]! * 40 + arcs[1]!);
  arcs.slice(2).forEach(encodeArc);
  return tlv(0x06, Buffer.from(bytes));
}

/** UTF8String, for the common name. */
export function utf8String(text: string): Buffer {
  return tlv(0x0c, Buffer.from(text, 'utf8'));
}

/** OCTET STRING, which also wraps every extension's value. */
export function octetString(bytes: Buffer): Buffer {
  return tlv(0x04, bytes);
}

/** A BIT STRING of whole bytes (no unused bits), as signatures and keys are. */
export function bitString(bytes: Buffer): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));
}

/**
 * A BIT STRING of named bits (`bits[0]` is bit 0, the first and most significant). DER drops
 * trailing zero bits, so the encoding ends at the last bit that is set.
 */
export function namedBits(bits: readonly boolean[]): Buffer {
  const last = bits.lastIndexOf(true);
  if (last < 0) return tlv(0x03, Buffer.from([0]));
  const bytes = Buffer.alloc(Math.floor(last / 8) + 1);
  bits.forEach((on, i) => {
    if (on) bytes[i >> 3] = bytes[i >> 3]! | (0x80 >> (i & 7));
  });
  return tlv(0x03, Buffer.concat([Buffer.from([7 - (last & 7)]), bytes]));
}

/**
 * A time as RFC 5280 §4.1.2.5 wants it: UTCTime for 1950–2049, GeneralizedTime otherwise, in
 * whole seconds with `Z`.
 */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(`${digits.slice(2)}Z`, 'latin1'));
  return tlv(0x18, Buffer.from(`${digits}Z`, 'latin1'));
}

/** `[n] EXPLICIT`: a context-specific constructed wrapper around one encoded value. */
export function explicit(n: number, encoded: Buffer): Buffer {
  return tlv(0xa0 | n, encoded);
}

/** `[n] IMPLICIT` for a primitive value: the contents with a context-specific tag. */
export function implicitPrimitive(n: number, contents: Buffer): Buffer {
  return tlv(0x80 | n, contents);
}
