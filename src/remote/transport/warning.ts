/**
 * @module `Warning` response headers (RFC 7234 §5.5): registries announce deprecations with code
 * 299, e.g. `Warning: 299 - "this repository is moving"`, which crane prints to stderr.
 */

// warn-code SP warn-agent SP warn-text [SP warn-date]; warn-text is a quoted string.
const WARNING = /(\d{3})\s+\S+\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?/g;

/** The texts of the code-299 warnings in `header` (one value or several, each possibly a list). */
export function parseWarnings(header: string | readonly string[] | undefined): string[] {
  if (header === undefined) return [];
  const out: string[] = [];
  for (const value of typeof header === 'string' ? [header] : header) {
    for (const m of value.matchAll(WARNING)) {
      if (m[1] === '299') out.push(m[2]!.replace(/\\(.)/g, '$1'));
    }
  }
  return out;
}
