/**
 * @module Go's `json.Indent` over compact JSON, so that `indentGoJSON(marshalIndexManifest(m))`
 * gives the bytes of Go's `json.MarshalIndent(m, "", "   ")`, which is how ggcr rewrites a
 * layout's index.json. (src/internal/gojson has no MarshalIndent yet; this belongs there.)
 */

const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const COMMA = 0x2c;
const COLON = 0x3a;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

/**
 * Re-indents JSON as Go's `json.Indent(dst, src, prefix, indent)` does: a newline and one
 * `indent` per level after `{`, `[` and `,`, a space after `:`, empty `{}` and `[]` kept on one
 * line, strings copied untouched, no trailing newline. The input must be valid JSON.
 *
 * @example
 * indentGoJSON(Buffer.from('{"a":[1,2],"b":{}}')).toString();
 * // '{\n   "a": [\n      1,\n      2\n   ],\n   "b": {}\n}'
 */
export function indentGoJSON(src: Uint8Array, indent = '   ', prefix = ''): Buffer {
  const out: (string | Uint8Array)[] = [];
  let depth = 0;
  let needIndent = false; // a `{` or `[` was just written: the next token decides whether to break
  let runStart = -1;
  const newline = (level: number) => out.push(`\n${prefix}${indent.repeat(level)}`);
  const flushRun = (end: number) => {
    if (runStart >= 0) out.push(src.subarray(runStart, end));
    runStart = -1;
  };

  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (isSpace(c)) {
      flushRun(i);
      continue;
    }
    if (needIndent && c !== CLOSE_OBJECT && c !== CLOSE_ARRAY) {
      needIndent = false;
      depth++;
      newline(depth);
    }
    if (c === QUOTE) {
      // Copy the whole string, escapes included; structural bytes inside it are text.
      flushRun(i);
      let j = i + 1;
      while (j < src.length && src[j] !== QUOTE) j += src[j] === BACKSLASH ? 2 : 1;
      out.push(src.subarray(i, j + 1));
      i = j;
      continue;
    }
    switch (c) {
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        flushRun(i);
        out.push(String.fromCharCode(c));
        needIndent = true;
        break;
      case COMMA:
        flushRun(i);
        out.push(',');
        newline(depth);
        break;
      case COLON:
        flushRun(i);
        out.push(': ');
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        flushRun(i);
        if (needIndent) {
          needIndent = false; // an empty object or array stays `{}` / `[]`
        } else {
          depth--;
          newline(depth);
        }
        out.push(String.fromCharCode(c));
        break;
      default:
        if (runStart < 0) runStart = i;
    }
  }
  flushRun(src.length);
  return Buffer.concat(out.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}
