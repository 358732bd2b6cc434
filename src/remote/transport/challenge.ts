/**
 * @module Parsing `WWW-Authenticate` challenges (RFC 7235 §4.1) as distribution's parser does, which
 * ggcr copies: one challenge per header value, a token scheme followed by comma-separated
 * `key=value` parameters whose values are tokens or quoted strings with backslash escapes;
 * scheme and parameter names lower-cased. Parsing stops quietly at the first thing that does not
 * fit, keeping what was read, so a malformed header never throws here.
 */

/** One challenge: `bearer` with `{ realm, service, scope }`, `basic` with `{ realm }`, … */
export interface Challenge {
  /** Lower-cased (`bearer`, `basic`, `negotiate`). */
  readonly scheme: string;
  readonly parameters: Readonly<Record<string, string>>;
}

// RFC 2616 token characters: visible ASCII except separators.
const SEPARATORS = ' \t"(),/:;<=>?@[]\\{}';
const isTokenChar = (c: string): boolean => {
  const code = c.charCodeAt(0);
  return code > 31 && code < 127 && !SEPARATORS.includes(c);
};
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function skipSpace(s: string, i: number): number {
  while (i < s.length && isSpace(s[i])) i++;
  return i;
}

function readToken(s: string, i: number): [string, number] {
  const start = i;
  while (i < s.length && isTokenChar(s[i]!)) i++;
  return [s.slice(start, i), i];
}

/** A token, or a quoted string with `\x` escapes; an unterminated quote reads as nothing. */
function readTokenOrQuoted(s: string, i: number): [string, number] {
  if (s[i] !== '"') return readToken(s, i);
  let out = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j]!;
    if (c === '"') return [out, j + 1];
    if (c === '\\') {
      j++;
      if (j >= s.length) break;
      out += s[j];
    } else {
      out += c;
    }
  }
  return ['', s.length];
}

/**
 * Parses one header value. Returns undefined when it does not start with a scheme token.
 * Parameters whose value is empty (`realm=""`) end the parse, as in distribution.
 */
export function parseChallenge(value: string): Challenge | undefined {
  let [scheme, i] = readToken(value, 0);
  if (scheme === '') return undefined;
  const parameters: Record<string, string> = {};
  let s = value;
  i = skipSpace(s, i);
  // Treat the list as if preceded by a comma, so the loop reads `,key=value` pairs.
  s = `,${s.slice(i)}`;
  i = 0;
  while (s[i] === ',') {
    const [key, afterKey] = readToken(s, skipSpace(s, i + 1));
    if (key === '' || s[afterKey] !== '=') break;
    const [val, afterValue] = readTokenOrQuoted(s, afterKey + 1);
    if (val === '') break;
    parameters[key.toLowerCase()] = val;
    i = skipSpace(s, afterValue);
  }
  return { scheme: scheme.toLowerCase(), parameters };
}

/**
 * Every challenge in a response's `WWW-Authenticate` header(s), in order. Node joins repeated
 * headers into an array (undici) or one value (fetch); each element is one challenge, as in
 * distribution, which does not split a single value holding several.
 */
export function parseChallenges(header: string | readonly string[] | undefined): Challenge[] {
  if (header === undefined) return [];
  const values = typeof header === 'string' ? [header] : header;
  const out: Challenge[] = [];
  for (const v of values) {
    const c = parseChallenge(v);
    if (c) out.push(c);
  }
  return out;
}

/**
 * The challenge to answer among several (ggcr's `pickFromMultipleChallenges`): the first Basic or
 * Bearer one, else the first of all (which the caller then reports as unsupported).
 */
export function pickChallenge(challenges: readonly Challenge[]): Challenge | undefined {
  return challenges.find((c) => c.scheme === 'basic' || c.scheme === 'bearer') ?? challenges[0];
}

/** The scopes a challenge asks for: its `scope` parameter, which may list several separated by spaces. */
export function challengeScopes(challenge: Challenge): string[] {
  const scope = challenge.parameters['scope'];
  return scope ? scope.split(' ').filter((s) => s !== '') : [];
}
