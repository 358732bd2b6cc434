/**
 * @module Strings and map keys as Go's `encoding/json` writes them: its escaping (HTML characters,
 * control characters, U+2028/U+2029) and its key order (UTF-8 bytes), which `JSON.stringify` and
 * `Array.prototype.sort` do not share.
 */

// `\b` and `\f` have their short forms since Go 1.22 (before, `\u0008` and `\u000c`); crane is
// built with a current Go, so we write what it writes.
const shortEscapes: Readonly<Record<number, string>> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r' };

const escapes: readonly string[] = Array.from({ length: 0x20 }, (_, c) => shortEscapes[c] ?? `\\u00${c.toString(16).padStart(2, '0')}`);

// Everything that may need more than copying: C0 controls, `"` and `\`, the HTML characters Go
// escapes by default, the two JavaScript line terminators, and any surrogate (pairs are copied,
// lone ones replaced).
const special = /[\u0000-\u001f"\\<>&\u2028\u2029\ud800-\udfff]/;

/**
 * Quotes `s` as Go's `json.Marshal` does: `<`, `>`, `&` as `\u003c`, `\u003e`, `\u0026`;
 * U+2028 and U+2029 as `\u2028`, `\u2029`; control characters as `\u00XX` except `\b \t \n \f \r`;
 * `"` and `\`; everything else (DEL, non-ASCII, astral characters) as itself.
 *
 * A lone UTF-16 surrogate becomes U+FFFD, written as itself: Go decodes an unpaired `\ud800` in
 * JSON to U+FFFD, so that is what it writes when it re-encodes the same document.
 *
 * @example
 * goString('a<b'); // '"a\\u003cb"'
 */
export function goString(s: string): string {
  if (!special.test(s)) return `"${s}"`;
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string;
    if (c < 0x20) rep = escapes[c]!;
    else if (c === 0x22) rep = '\\"';
    else if (c === 0x5c) rep = '\\\\';
    else if (c === 0x3c) rep = '\\u003c';
    else if (c === 0x3e) rep = '\\u003e';
    else if (c === 0x26) rep = '\\u0026';
    else if (c === 0x2028) rep = '\\u2028';
    else if (c === 0x2029) rep = '\\u2029';
    else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      rep = '\ufffd';
    } else continue;
    out += s.slice(from, i) + rep;
    from = i + 1;
  }
  return `${out}${s.slice(from)}"`;
}

const ascii = /^[\u0000-\u007f]*$/;

/**
 * Sorts map keys in the order Go writes them: by their UTF-8 bytes, which is code point order
 * (UTF-16 code unit order, JavaScript's default, puts U+10000… before U+E000…). A lone surrogate
 * sorts as the U+FFFD it is written as.
 */
export function sortGoKeys(keys: readonly string[]): string[] {
  if (keys.every((k) => ascii.test(k))) return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys
    .map((k) => ({ k, bytes: Buffer.from(k, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map((e) => e.k);
}
