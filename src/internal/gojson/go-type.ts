/**
 * @module A small description language for Go types, enough to say how `encoding/json` writes a
 * value of each: field order, `omitempty`, nil versus empty, maps, pointers, ggcr's `Hash` and
 * `Time`. One description per struct; one writer (`marshalWithSchema`) for all of them.
 */

/**
 * The Go type of a value, as far as `encoding/json` cares.
 *
 * - `string`, `int`, `bool`: Go's basic types (`int` covers every integer type and
 *   `time.Duration`). Zero values: `""`, `0`, `false`.
 * - `hash`: ggcr's `v1.Hash` (a struct with a `MarshalJSON`): written `"sha256:…"`; its zero
 *   value writes `":"`. Takes a `Hash` or a string.
 * - `time`: ggcr's `v1.Time` (a struct embedding `time.Time`): written in RFC 3339 with
 *   nanoseconds; a struct, so `omitempty` never drops it and `undefined` writes Go's zero time.
 *   Takes a `Time` or an RFC 3339 string.
 * - `bytes`: `[]byte`, written as standard base64. Takes a `Uint8Array`.
 * - `slice`: `[]elem`. `undefined`/`null` is Go's nil slice (`null`); `[]` is an allocated empty
 *   slice (`[]`); `omitempty` drops both.
 * - `map`: `map[string]elem`, keys sorted by their UTF-8 bytes. Takes a plain object or a `Map`.
 * - `emptyStruct`: `struct{}`, always `{}` (the values of `ExposedPorts` and `Volumes`).
 * - `pointer`: `*elem`. `undefined`/`null` is nil (`null`, or dropped by `omitempty`).
 * - `struct`: fields written in declaration order. A struct value is never "empty" to
 *   `omitempty`; `undefined` writes the zero struct.
 * - `any`: `interface{}` holding decoded JSON: objects written with sorted keys, as Go writes a
 *   `map[string]interface{}`.
 */
export type GoType =
  | { readonly kind: 'string' }
  | { readonly kind: 'int' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'hash' }
  | { readonly kind: 'time' }
  | { readonly kind: 'bytes' }
  | { readonly kind: 'any' }
  | { readonly kind: 'emptyStruct' }
  | { readonly kind: 'slice'; readonly elem: GoType }
  | { readonly kind: 'map'; readonly elem: GoType }
  | { readonly kind: 'pointer'; readonly elem: GoType }
  | GoStruct;

/** A Go struct: its JSON fields in declaration order. */
export interface GoStruct {
  readonly kind: 'struct';
  /** The Go name, for error messages and documentation (`v1.Descriptor`). */
  readonly name: string;
  readonly fields: readonly GoField[];
}

/** One struct field: its JSON name (the tag's name), its type, and whether the tag has `omitempty`. */
export interface GoField {
  readonly name: string;
  readonly type: GoType;
  readonly omitempty?: boolean;
}

/** Go's `string`. */
export const goStringType: GoType = { kind: 'string' };
/** Any Go integer type, and `time.Duration` (integer nanoseconds). */
export const goIntType: GoType = { kind: 'int' };
/** Go's `bool`. */
export const goBoolType: GoType = { kind: 'bool' };
/** ggcr's `v1.Hash`. */
export const goHashType: GoType = { kind: 'hash' };
/** ggcr's `v1.Time`. */
export const goTimeType: GoType = { kind: 'time' };
/** Go's `[]byte`. */
export const goBytesType: GoType = { kind: 'bytes' };
/** Go's `interface{}` holding decoded JSON. */
export const goAnyType: GoType = { kind: 'any' };

/** `[]elem` */
export function sliceOf(elem: GoType): GoType {
  return { kind: 'slice', elem };
}

/** `map[string]elem` */
export function mapOf(elem: GoType): GoType {
  return { kind: 'map', elem };
}

/** `*elem` */
export function pointerTo(elem: GoType): GoType {
  return { kind: 'pointer', elem };
}

/** `map[string]struct{}`, Go's set, as `ExposedPorts` and `Volumes` are. */
export const goSetType: GoType = mapOf({ kind: 'emptyStruct' });

/** A struct with its fields in declaration order. */
export function struct(name: string, fields: readonly GoField[]): GoStruct {
  return { kind: 'struct', name, fields };
}

/** A field tagged `json:"name"`. */
export function field(name: string, type: GoType): GoField {
  return { name, type };
}

/** A field tagged `json:"name,omitempty"`. */
export function omitEmpty(name: string, type: GoType): GoField {
  return { name, type, omitempty: true };
}
