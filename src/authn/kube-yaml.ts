/**
 * @module The part of YAML that kubeconfig files use, parsed without a YAML dependency: block
 * mappings and sequences (including `- key: value` items), plain, single- and double-quoted
 * scalars (folded over lines), `|`/`>` block scalars, `{}`/`[]` and flow lists of scalars,
 * comments. Anything else (anchors, aliases, tags, complex keys, flow mappings with content,
 * several documents) is refused with the line number rather than guessed at. JSON text is parsed
 * as JSON.
 */
import { BadDocumentError } from '../errors/index.ts';

interface Line {
  indent: number;
  content: string;
}

/**
 * Parses kubeconfig text: JSON when it starts with `{`, else the YAML subset above. `source`
 * names the file in errors; messages give line numbers, never content (kubeconfigs hold tokens).
 */
export function parseKubeconfigText(text: string, source: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trimStart().startsWith('{')) {
    try {
      return JSON.parse(body);
    } catch {
      throw new BadDocumentError(`${source} is not valid JSON`);
    }
  }
  return new YamlSubset(body, source).document();
}

const SCALAR_INDICATORS = /^[&*!%@`]/;

class YamlSubset {
  readonly #raw: string[];
  readonly #lines: (Line | undefined)[];
  readonly #source: string;
  #pos = 0;

  constructor(text: string, source: string) {
    this.#source = source;
    this.#raw = text.split(/\r?\n/);
    // The newline that ends the last line does not start another one.
    if (this.#raw.length > 1 && this.#raw[this.#raw.length - 1] === '') this.#raw.pop();
    this.#lines = this.#raw.map((raw, n) => {
      const indent = /^ */.exec(raw)?.[0].length ?? 0;
      const content = raw.slice(indent);
      if (content.startsWith('\t')) this.#fail(n, 'tabs are not allowed for indentation');
      return { indent, content };
    });
  }

  document(): unknown {
    let first = this.#peek();
    if (first && first.line.content.startsWith('%')) this.#fail(first.n, 'YAML directives are not supported');
    if (first && /^---(\s|$)/.test(first.line.content)) {
      if (stripComment(first.line.content.slice(3)).trim() !== '') this.#fail(first.n, 'content after --- is not supported');
      this.#pos = first.n + 1;
      first = this.#peek();
    }
    if (!first || /^\.\.\.(\s|$)/.test(first.line.content)) return null;
    const value = this.#block(first.line.indent);
    const rest = this.#peek();
    if (rest && !(isDocumentEnd(rest.line) && rest.line.content.startsWith('...'))) {
      this.#fail(rest.n, /^---/.test(rest.line.content) ? 'several documents are not supported' : 'unexpected indentation');
    }
    return value;
  }

  #fail(n: number, message: string): never {
    throw new BadDocumentError(`${this.#source}:${n + 1}: ${message}`);
  }

  /** The next line with content, skipping blank and comment lines, without consuming it. */
  #peek(): { n: number; line: Line } | undefined {
    for (let n = this.#pos; n < this.#lines.length; n++) {
      const line = this.#lines[n];
      if (!line) continue;
      const c = line.content.trim();
      if (c === '' || c.startsWith('#')) continue;
      return { n, line };
    }
    return undefined;
  }

  #block(indent: number): unknown {
    const next = this.#peek();
    if (!next) return null;
    return isSequenceItem(next.line.content) ? this.#sequence(indent) : this.#mapping(indent);
  }

  #mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let next = this.#peek(); next && next.line.indent >= indent; next = this.#peek()) {
      const { n, line } = next;
      if (isDocumentEnd(line)) break;
      if (line.indent > indent) this.#fail(n, 'unexpected indentation');
      if (isSequenceItem(line.content)) this.#fail(n, 'a list item where a mapping key was expected');
      const { key, rest } = this.#key(n, line.content);
      if (Object.hasOwn(out, key)) this.#fail(n, `duplicate key ${JSON.stringify(key)}`);
      this.#pos = n + 1;
      out[key] = this.#value(n, rest, indent, true);
    }
    return out;
  }

  #sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let next = this.#peek(); next && next.line.indent >= indent; next = this.#peek()) {
      const { n, line } = next;
      if (isDocumentEnd(line)) break;
      if (line.indent > indent) this.#fail(n, 'unexpected indentation');
      if (!isSequenceItem(line.content)) break;
      const after = line.content.slice(1);
      const rest = after.trimStart();
      if (stripComment(rest).trim() !== '' && (isSequenceItem(rest) || this.#looksLikeKey(rest))) {
        // `- key: value` (or `- - x`): the item is a block that starts on this line, indented to
        // where its first token is.
        line.indent = indent + 1 + (after.length - rest.length);
        line.content = rest;
        out.push(this.#block(line.indent));
        continue;
      }
      this.#pos = n + 1;
      out.push(this.#value(n, rest, indent, false));
    }
    return out;
  }

  /** The value after `key:` or `-`: inline, or a block on the following, deeper lines. */
  #value(n: number, rest: string, indent: number, inMapping: boolean): unknown {
    if (stripComment(rest).trim() === '') {
      const next = this.#peek();
      if (next && next.line.indent > indent) return this.#block(next.line.indent);
      // `key:` followed by `- item` at the key's own indentation is a list (kubectl writes these).
      if (inMapping && next && next.line.indent === indent && isSequenceItem(next.line.content)) {
        return this.#sequence(indent);
      }
      return null;
    }
    if (rest.startsWith('|') || rest.startsWith('>')) return this.#blockScalar(n, rest, indent);
    return this.#inline(n, rest, indent);
  }

  #looksLikeKey(text: string): boolean {
    if (text.startsWith('"') || text.startsWith("'")) {
      const end = quotedEnd(text);
      return end > 0 && /^:(\s|$)/.test(text.slice(end));
    }
    return plainKeyEnd(text) >= 0;
  }

  #key(n: number, content: string): { key: string; rest: string } {
    if (content.startsWith('"') || content.startsWith("'")) {
      const end = quotedEnd(content);
      if (end < 0 || !/^:(\s|$)/.test(content.slice(end))) this.#fail(n, 'malformed quoted key');
      return { key: this.#quoted(n, content.slice(0, end)), rest: content.slice(end + 1).trimStart() };
    }
    const colon = plainKeyEnd(content);
    if (colon < 0) this.#fail(n, 'expected "key: value"');
    const key = content.slice(0, colon).trim();
    if (key === '' || /^[?&*!|>%@`{[]/.test(key) || key === '<<') this.#fail(n, 'unsupported mapping key');
    return { key, rest: content.slice(colon + 1).trimStart() };
  }

  #inline(n: number, text: string, indent: number): unknown {
    if (text.startsWith('"') || text.startsWith("'")) return this.#multilineQuoted(n, text, indent);
    const plain = stripComment(text).trim();
    if (plain.startsWith('{')) {
      if (/^\{\s*\}$/.test(plain)) return {};
      this.#fail(n, 'flow mappings are not supported');
    }
    if (plain.startsWith('[')) return this.#flowList(n, plain);
    if (SCALAR_INDICATORS.test(plain)) this.#fail(n, 'anchors, aliases and tags are not supported');
    let value = plain;
    // A plain scalar may continue on deeper lines (go-yaml folds long strings that way).
    for (let next = this.#peek(); next && next.line.indent > indent; next = this.#peek()) {
      if (this.#looksLikeKey(next.line.content)) this.#fail(next.n, 'unexpected mapping inside a plain value');
      value += ` ${stripComment(next.line.content).trim()}`;
      this.#pos = next.n + 1;
    }
    return typedPlain(value);
  }

  #flowList(n: number, text: string): unknown[] {
    if (!text.endsWith(']')) this.#fail(n, 'flow lists must end on their line');
    const inner = text.slice(1, -1).trim();
    if (inner === '') return [];
    const items: unknown[] = [];
    let rest = inner;
    while (rest !== '') {
      let item: unknown;
      if (rest.startsWith('"') || rest.startsWith("'")) {
        const end = quotedEnd(rest);
        if (end < 0) this.#fail(n, 'unterminated quoted string');
        item = this.#quoted(n, rest.slice(0, end));
        rest = rest.slice(end).trimStart();
      } else {
        const comma = rest.indexOf(',');
        const raw = (comma < 0 ? rest : rest.slice(0, comma)).trim();
        if (/^[[\]{}]/.test(raw) || SCALAR_INDICATORS.test(raw)) this.#fail(n, 'nested flow collections are not supported');
        item = typedPlain(raw);
        rest = comma < 0 ? '' : rest.slice(comma);
      }
      items.push(item);
      if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
      else if (rest !== '') this.#fail(n, 'malformed flow list');
    }
    return items;
  }

  /** A quoted scalar that may go on over following lines; line breaks fold as YAML folds them. */
  #multilineQuoted(n: number, first: string, indent: number): string {
    let text = first;
    let last = n;
    while (quotedEnd(text) < 0) {
      last++;
      if (last >= this.#raw.length) this.#fail(n, 'unterminated quoted string');
      const line = this.#raw[last] ?? '';
      if (line.trim() !== '' && (/^ */.exec(line)?.[0].length ?? 0) <= indent) this.#fail(last, 'unterminated quoted string');
      text += `\n${line}`;
    }
    const end = quotedEnd(text);
    if (stripComment(text.slice(end)).trim() !== '') this.#fail(last, 'content after a quoted string');
    this.#pos = last + 1;
    return this.#quoted(n, text.slice(0, end));
  }

  /** Unquotes `"…"` or `'…'` (the quotes included), folding line breaks. */
  #quoted(n: number, text: string): string {
    const double = text.startsWith('"');
    const body = fold(text.slice(1, -1), double);
    if (!double) return body.replace(/''/g, "'");
    return body.replace(/\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/gs, (_, e: string) => {
      const simple: Record<string, string> = {
        '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
        ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
      };
      if (e.length > 1) return String.fromCodePoint(Number.parseInt(e.slice(1), 16));
      const s = simple[e];
      if (s === undefined) this.#fail(n, `unknown escape \\${e} in a double-quoted string`);
      return s;
    });
  }

  #blockScalar(n: number, header: string, indent: number): string {
    const m = /^([|>])([-+]?)([1-9]?)([-+]?)\s*(#.*)?$/.exec(header);
    if (!m) this.#fail(n, 'malformed block scalar header');
    const folded = m[1] === '>';
    const chomp = m[2] || m[4] || '';
    const explicit = m[3] ? indent + Number(m[3]) : undefined;
    const lines: string[] = [];
    let contentIndent = explicit;
    let p = n + 1;
    for (; p < this.#raw.length; p++) {
      const raw = this.#raw[p] ?? '';
      const lead = /^ */.exec(raw)?.[0].length ?? 0;
      if (raw.trim() === '') {
        lines.push('');
        continue;
      }
      contentIndent ??= lead;
      if (lead < contentIndent || contentIndent <= indent) break;
      lines.push(raw.slice(contentIndent));
    }
    this.#pos = p;
    // Blank lines after the last content belong to the chomping, not to the block.
    let trailing = 0;
    while (lines.length > 0 && lines[lines.length - 1] === '') {
      lines.pop();
      trailing++;
    }
    let body = folded ? foldBlock(lines) : lines.join('\n');
    if (lines.length === 0) return '';
    if (chomp === '-') return body;
    body += '\n';
    if (chomp === '+') body += '\n'.repeat(trailing);
    return body;
  }
}

/** `...` (end of document) or `---` (start of another) at the left margin. */
function isDocumentEnd(line: Line): boolean {
  return line.indent === 0 && /^(\.\.\.|---)(\s|$)/.test(line.content);
}

function isSequenceItem(content: string): boolean {
  return content === '-' || content.startsWith('- ') || content.startsWith('-\t');
}

/** Where a plain key ends: the first `:` followed by a space or the end, before any comment. */
function plainKeyEnd(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) return -1;
    if (c === ':' && (i + 1 === text.length || /\s/.test(text[i + 1] ?? ''))) return i;
  }
  return -1;
}

/** The index just after the closing quote of the quoted scalar `text` starts with, or -1. */
function quotedEnd(text: string): number {
  const q = text[0];
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (q === '"' && c === '\\') {
      i++;
      continue;
    }
    if (c === q) {
      if (q === "'" && text[i + 1] === "'") {
        i++;
        continue;
      }
      return i + 1;
    }
  }
  return -1;
}

/** Drops a `#` comment (one that starts the text or follows whitespace) from a plain value. */
function stripComment(text: string): string {
  const m = /(^|\s)#/.exec(text);
  return m ? text.slice(0, m.index) : text;
}

/** YAML's flow folding inside quotes: a single line break is a space, each blank line a newline. */
function fold(body: string, double: boolean): string {
  if (!body.includes('\n')) return body;
  const lines = body.split('\n');
  let out = (lines[0] ?? '').replace(/[ \t]+$/, '');
  let pendingBreaks = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' && i < lines.length - 1) {
      pendingBreaks++;
      continue;
    }
    if (double && out.endsWith('\\') && !out.endsWith('\\\\')) out = out.slice(0, -1);
    else out += pendingBreaks > 0 ? '\n'.repeat(pendingBreaks) : ' ';
    out += line;
    pendingBreaks = 0;
  }
  return out;
}

/** `>` folding: lines join with a space, blank lines become newlines, indented lines stay as is. */
function foldBlock(lines: string[]): string {
  let out = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (i === 0) {
      out = line;
      continue;
    }
    const prev = lines[i - 1] ?? '';
    const literal = line === '' || line.startsWith(' ') || prev === '' || prev.startsWith(' ');
    out += literal ? `\n${line}` : ` ${line}`;
  }
  return out;
}

/** YAML core-schema types for a plain scalar: null, booleans and numbers; everything else a string. */
function typedPlain(value: string): unknown {
  if (value === '' || value === '~' || /^(null|Null|NULL)$/.test(value)) return null;
  if (/^(true|True|TRUE)$/.test(value)) return true;
  if (/^(false|False|FALSE)$/.test(value)) return false;
  if (/^[-+]?\d+$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  if (/^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/.test(value)) return Number(value);
  return value;
}
