/**
 * @module Hand-written guards for JSON documents. Each names the path of what is wrong
 * (`layers[3].digest: invalid digest "sha256:zz"`), so a bad manifest says where it is bad.
 * Faster than a schema library and free at import time (ts-anchors §2.8).
 */
import { BadDocumentError } from '../errors/index.ts';
import { Hash } from './hash.ts';

export type JsonObject = Record<string, unknown>;

/** Parses JSON bytes, reporting a syntax error as a `BadDocumentError` about `what`. */
export function parseJSON(input: Uint8Array | string, what: string): unknown {
  const text = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadDocumentError(`${what} is not valid JSON: ${(err as Error).message}`, '', { cause: err });
  }
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v)}`;
  return typeof v;
}

export function expectObject(v: unknown, path: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new BadDocumentError(`expected object, got ${describe(v)}`, path);
  }
  return v as JsonObject;
}

export function expectString(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new BadDocumentError(`expected string, got ${describe(v)}`, path);
  return v;
}

/** Absent and null read as undefined, as Go leaves a missing field at its zero value. */
export function optString(v: unknown, path: string): string | undefined {
  return v == null ? undefined : expectString(v, path);
}

export function optBoolean(v: unknown, path: string): boolean | undefined {
  if (v == null) return undefined;
  if (typeof v !== 'boolean') throw new BadDocumentError(`expected boolean, got ${describe(v)}`, path);
  return v;
}

export function expectInteger(v: unknown, path: string, { min = Number.MIN_SAFE_INTEGER } = {}): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new BadDocumentError(`expected integer, got ${describe(v)}${typeof v === 'number' ? ` ${v}` : ''}`, path);
  }
  if (v < min) throw new BadDocumentError(`expected integer ≥ ${min}, got ${v}`, path);
  return v;
}

export function optInteger(v: unknown, path: string, opts: { min?: number } = {}): number | undefined {
  return v == null ? undefined : expectInteger(v, path, opts);
}

export function expectHash(v: unknown, path: string): Hash {
  const s = expectString(v, path);
  try {
    return Hash.parse(s);
  } catch (err) {
    throw new BadDocumentError(`invalid digest ${JSON.stringify(s)}: ${(err as Error).message}`, path, { cause: err });
  }
}

export function optArray<T>(v: unknown, path: string, item: (x: unknown, path: string) => T): T[] | undefined {
  if (v == null) return undefined;
  if (!Array.isArray(v)) throw new BadDocumentError(`expected array, got ${describe(v)}`, path);
  return v.map((x, i) => item(x, `${path}[${i}]`));
}

export function optStringArray(v: unknown, path: string): string[] | undefined {
  return optArray(v, path, expectString);
}

export function optStringMap(v: unknown, path: string): Record<string, string> | undefined {
  if (v == null) return undefined;
  const o = expectObject(v, path);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) out[k] = expectString(x, `${path}[${JSON.stringify(k)}]`);
  return out;
}

/** A Go `map[string]struct{}` such as ExposedPorts / Volumes: keys matter, values must be objects. */
export function optSet(v: unknown, path: string): Record<string, Record<string, never>> | undefined {
  if (v == null) return undefined;
  const o = expectObject(v, path);
  const out: Record<string, Record<string, never>> = {};
  for (const [k, x] of Object.entries(o)) {
    if (x !== null) expectObject(x, `${path}[${JSON.stringify(k)}]`);
    out[k] = {};
  }
  return out;
}

/**
 * Marks list fields that were `null` or absent in the JSON read. They read as `[]` (so callers
 * never meet null), and the Go-compatible serializer writes a still-empty marked list back as
 * `null`, as Go keeps such a slice nil: parse → serialize then gives the same bytes (and digest).
 * The mark is an enumerable symbol so that `{ ...obj, other: x }` copies carry it.
 */
export const GO_NIL: unique symbol = Symbol.for('containerregistry.gojson.nil') as never;

/** Returns `obj` with `fields` recorded as Go-nil lists (see `GO_NIL`); a no-op for none. */
export function markNil<T extends object>(obj: T, fields: readonly string[]): T {
  if (fields.length) (obj as Record<symbol, unknown>)[GO_NIL] = Object.freeze([...fields]);
  return obj;
}

/** Copies `raw`, drops keys whose parsed value is undefined, and keeps unknown keys as they were. */
export function assemble<T>(raw: JsonObject, parsed: Record<string, unknown>): T {
  const out: JsonObject = { ...raw };
  for (const [k, v] of Object.entries(parsed)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out as T;
}

/** Freezes a parsed document and everything in it, so views can hand it out safely. */
export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v) && !ArrayBuffer.isView(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
