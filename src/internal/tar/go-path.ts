/**
 * @module Go's `path.Clean`, `path.Join` and `path.Split` for slash-separated paths. Go's tar
 * writer names each PAX header file `path.Join(dir, "PaxHeaders.0", file)`, and Node's
 * `path.posix` differs from Go on trailing slashes, so those bytes need Go's rules.
 */

/** The shortest equivalent path, lexically (Go's path.Clean). */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** Joins the non-empty elements with `/` and cleans the result; '' when all are empty. */
export function joinPath(...elements: string[]): string {
  const parts = elements.filter((e) => e !== '');
  return parts.length === 0 ? '' : cleanPath(parts.join('/'));
}

/** Splits after the last slash: `dir` keeps its trailing slash, as Go's path.Split. */
export function splitPath(path: string): { dir: string; file: string } {
  const i = path.lastIndexOf('/');
  return { dir: path.slice(0, i + 1), file: path.slice(i + 1) };
}
