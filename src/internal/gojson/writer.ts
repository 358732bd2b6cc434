/**
 * @module The one writer behind every JSON document this project produces: walks a value along
 * its Go type description and writes what Go's `json.Marshal` writes for it, byte for byte.
 */
import { InvalidArgumentError } from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';
import { Time } from '../../v1/time.ts';
import { GO_NIL } from '../../v1/guard.ts';
import { goString, sortGoKeys } from './go-string.ts';
import type { GoStruct, GoType } from './go-type.ts';

/** Options of every `marshal*` function. */
export interface MarshalOptions {
  /**
   * What to do with properties a struct does not declare (parsed documents keep unknown JSON
   * fields as extra properties).
   *
   * - `'drop'` (default): leave them out. Go decodes into ggcr's structs, which have nowhere to
   *   keep them, so Go crane never writes them back; dropping them gives the bytes, and so the
   *   digest, that Go crane gives for the same change.
   * - `'keep'`: write them after the declared fields, in the order the object holds them (its
   *   insertion order, except that JavaScript lists integer-like keys first), nested objects
   *   likewise unsorted, strings escaped as Go does. For callers who would rather lose nothing
   *   than match Go's digest.
   */
  readonly unknownFields?: 'drop' | 'keep';
}

type Out = string[];

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    return proto === Object.prototype || proto === null ? 'object' : (v.constructor?.name ?? 'object');
  }
  if (typeof v === 'number') return `number ${v}`;
  return typeof v;
}

function fail(path: string, want: string, v: unknown): never {
  throw new InvalidArgumentError(`cannot marshal ${path || 'value'}: expected ${want}, got ${describe(v)}`);
}

/** An object whose own properties are its fields or entries (not an array, byte array or Map). */
function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof Map);
}

const keyPath = (path: string, k: string) => (path ? `${path}[${JSON.stringify(k)}]` : JSON.stringify(k));

function entriesOf(v: unknown, path: string): [string, unknown][] {
  if (v instanceof Map) {
    return [...v.entries()].map(([k, x]) => (typeof k === 'string' ? [k, x] : fail(`${path} key`, 'string', k)));
  }
  if (!isRecord(v)) fail(path, 'object or Map', v);
  return Object.entries(v).filter(([, x]) => x !== undefined);
}

// A Hash from another installed copy of this package fails `instanceof` but has the same shape.
function isHashLike(v: unknown): boolean {
  const h = v as { algorithm?: unknown; hex?: unknown };
  return typeof v === 'object' && v !== null && typeof h.algorithm === 'string' && typeof h.hex === 'string';
}

/** Go's `omitempty` test: false, 0, "", nil, and empty slices and maps. Structs are never empty. */
function isEmpty(type: GoType, v: unknown): boolean {
  if (v == null) return type.kind !== 'struct' && type.kind !== 'time' && type.kind !== 'hash' && type.kind !== 'emptyStruct';
  switch (type.kind) {
    case 'string':
      return v === '';
    case 'int':
      return v === 0 || v === 0n;
    case 'bool':
      return v === false;
    case 'bytes':
    case 'slice':
      return (v as { length?: unknown }).length === 0;
    case 'map':
      return v instanceof Map ? v.size === 0 : isRecord(v) && Object.values(v).every((x) => x === undefined);
    default:
      return false;
  }
}

function writeValue(out: Out, type: GoType, v: unknown, path: string, keep: boolean): void {
  switch (type.kind) {
    case 'string':
      if (v == null) out.push('""');
      else if (typeof v === 'string') out.push(goString(v));
      else fail(path, 'string', v);
      return;
    case 'int':
      if (v == null) out.push('0');
      else if (typeof v === 'number' && Number.isSafeInteger(v)) out.push(String(v));
      else if (typeof v === 'bigint') out.push(v.toString());
      else fail(path, 'integer', v);
      return;
    case 'bool':
      if (v == null) out.push('false');
      else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
      else fail(path, 'boolean', v);
      return;
    case 'hash':
      // Go's zero Hash{} prints as ":".
      if (v == null) out.push('":"');
      else if (v instanceof Hash || typeof v === 'string' || isHashLike(v)) out.push(goString(String(v)));
      else fail(path, 'Hash', v);
      return;
    case 'time':
      if (v == null) out.push(`"${Time.zero().marshalText()}"`);
      else if (v instanceof Time) out.push(`"${v.marshalText()}"`);
      else if (typeof v === 'string') out.push(`"${Time.parse(v, path).marshalText()}"`);
      else fail(path, 'Time', v);
      return;
    case 'bytes':
      if (v == null) out.push('null');
      else if (v instanceof Uint8Array) out.push(`"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}"`);
      else fail(path, 'Uint8Array', v);
      return;
    case 'emptyStruct':
      out.push('{}');
      return;
    case 'pointer':
      if (v == null) out.push('null');
      else writeValue(out, type.elem, v, path, keep);
      return;
    case 'slice': {
      if (v == null) return void out.push('null');
      if (!Array.isArray(v)) fail(path, 'array', v);
      out.push('[');
      v.forEach((x, i) => {
        if (i > 0) out.push(',');
        writeValue(out, type.elem, x, `${path}[${i}]`, keep);
      });
      out.push(']');
      return;
    }
    case 'map': {
      if (v == null) return void out.push('null');
      const entries = new Map(entriesOf(v, path));
      out.push('{');
      sortGoKeys([...entries.keys()]).forEach((k, i) => {
        if (i > 0) out.push(',');
        out.push(goString(k), ':');
        writeValue(out, type.elem, entries.get(k), keyPath(path, k), keep);
      });
      out.push('}');
      return;
    }
    case 'struct':
      writeStruct(out, type, v, path, keep);
      return;
    case 'any':
      writeAny(out, v, path, true);
      return;
  }
}

function writeStruct(out: Out, type: GoStruct, v: unknown, path: string, keep: boolean): void {
  // An absent struct value is Go's zero struct: every field at its zero value.
  const o = v == null ? {} : isRecord(v) ? v : fail(path, `object (${type.name})`, v);
  const at = (name: string) => (path ? `${path}.${name}` : name);
  out.push('{');
  let first = true;
  // Lists that were null when parsed and are still empty go back out as null (see GO_NIL).
  const nil = (o as Record<symbol, unknown>)[GO_NIL] as readonly string[] | undefined;
  for (const f of type.fields) {
    let x = Object.hasOwn(o, f.name) ? o[f.name] : undefined;
    if (nil && Array.isArray(x) && x.length === 0 && nil.includes(f.name)) x = undefined;
    if (f.omitempty && isEmpty(f.type, x)) continue;
    if (!first) out.push(',');
    first = false;
    out.push(goString(f.name), ':');
    writeValue(out, f.type, x, at(f.name), keep);
  }
  if (keep) {
    const known = new Set(type.fields.map((f) => f.name));
    for (const [k, x] of Object.entries(o)) {
      if (known.has(k) || x === undefined) continue;
      if (!first) out.push(',');
      first = false;
      out.push(goString(k), ':');
      writeAny(out, x, at(k), false);
    }
  }
  out.push('}');
}

/**
 * Decoded JSON (`interface{}`), or an unknown field kept as read. Go sorts the keys of a map it
 * writes; unknown fields keep the order they were read in.
 */
function writeAny(out: Out, v: unknown, path: string, sortKeys: boolean): void {
  if (v == null) return void out.push('null');
  if (typeof v === 'string') return void out.push(goString(v));
  if (typeof v === 'boolean') return void out.push(v ? 'true' : 'false');
  if (typeof v === 'bigint') return void out.push(v.toString());
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(path, 'finite number', v);
    // Go's float64 text equals JavaScript's shortest form (same exponent thresholds), except
    // that Go keeps the sign of -0.
    return void out.push(Object.is(v, -0) ? '-0' : String(v));
  }
  if (v instanceof Hash || v instanceof Time) return void out.push(goString(v.toString()));
  if (v instanceof Uint8Array) return void out.push(`"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}"`);
  if (Array.isArray(v)) {
    out.push('[');
    v.forEach((x, i) => {
      if (i > 0) out.push(',');
      writeAny(out, x, `${path}[${i}]`, sortKeys);
    });
    return void out.push(']');
  }
  if (typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    return writeAny(out, (v as { toJSON(): unknown }).toJSON(), path, sortKeys);
  }
  if (!(v instanceof Map) && !isRecord(v)) fail(path, 'JSON value', v);
  const entries = new Map(entriesOf(v, path));
  const keys = sortKeys ? sortGoKeys([...entries.keys()]) : [...entries.keys()];
  out.push('{');
  keys.forEach((k, i) => {
    if (i > 0) out.push(',');
    out.push(goString(k), ':');
    writeAny(out, entries.get(k), keyPath(path, k), sortKeys);
  });
  out.push('}');
}

/**
 * Writes `value` as Go's `json.Marshal` writes a value of the Go type `type`: no whitespace,
 * struct fields in declaration order, `omitempty`, nil as `null`, map keys in UTF-8 byte order,
 * strings escaped as Go escapes them. Throws `InvalidArgumentError` naming the path of a value
 * that does not fit its type (`config.Env[2]: expected string, got number`).
 *
 * @example
 * const t = struct('Pair', [field('b', goStringType), omitEmpty('a', goIntType)]);
 * marshalWithSchema({ a: 0, b: '<' }, t).toString(); // '{"b":"\\u003c"}'
 */
export function marshalWithSchema(value: unknown, type: GoType, options: MarshalOptions = {}): Buffer {
  const out: Out = [];
  writeValue(out, type, value, '', options.unknownFields === 'keep');
  return Buffer.from(out.join(''), 'utf8');
}
