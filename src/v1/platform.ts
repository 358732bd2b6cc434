/**
 * @module The platform an image runs on (`os/arch[/variant][:osversion]`), with ggcr's parse,
 * string form, exact equality and "satisfies" matching.
 */
import { BadPlatformError } from '../errors/index.ts';
import { assemble, expectObject, optString, optStringArray, parseJSON } from './guard.ts';

/** OCI image-index `platform` object. Field names are the JSON ones. */
export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
  readonly variant?: string;
  readonly features?: readonly string[];
}

function parsePlatformObject(v: unknown, path: string): Platform {
  const o = expectObject(v, path);
  return assemble<Platform>(o, {
    architecture: optString(o['architecture'], `${path}.architecture`) ?? '',
    os: optString(o['os'], `${path}.os`) ?? '',
    'os.version': optString(o['os.version'], `${path}.os.version`),
    'os.features': optStringArray(o['os.features'], `${path}.os.features`),
    variant: optString(o['variant'], `${path}.variant`),
    features: optStringArray(o['features'], `${path}.features`),
  });
}

/**
 * Parses `os/arch[/variant][:osversion]` or a JSON platform object. More than three `/`-separated
 * parts is an error, as in ggcr. An os.version after `:` may itself contain `:`-free text only.
 */
function parse(s: string): Platform {
  const text = s.trim();
  if (text.startsWith('{')) {
    try {
      return parsePlatformObject(parseJSON(text, 'platform'), 'platform');
    } catch (err) {
      throw new BadPlatformError(`cannot parse platform ${JSON.stringify(s)}: ${(err as Error).message}`, { cause: err });
    }
  }
  let rest = text;
  let osVersion: string | undefined;
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    osVersion = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  if (parts.length < 1 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new BadPlatformError(`cannot parse platform ${JSON.stringify(s)}: expected os/arch[/variant][:osversion]`);
  }
  const p: { -readonly [K in keyof Platform]: Platform[K] } = { os: parts[0]!, architecture: parts[1] ?? '' };
  if (parts[2]) p.variant = parts[2];
  if (osVersion) p['os.version'] = osVersion;
  return p;
}

/** The short form `os/arch[/variant][:osversion]`; empty when `os` is empty (ggcr). */
function toString(p: Platform): string {
  if (!p.os) return '';
  let s = p.os;
  if (p.architecture) s += `/${p.architecture}`;
  if (p.variant) s += `/${p.variant}`;
  if (p['os.version']) s += `:${p['os.version']}`;
  return s;
}

function sameSet(a: readonly string[] = [], b: readonly string[] = []): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

function superset(have: readonly string[] = [], want: readonly string[] = []): boolean {
  const set = new Set(have);
  return want.every((w) => set.has(w));
}

/** Exact equality; feature lists compare without regard to order (ggcr `Equals`). */
function equals(a: Platform, b: Platform): boolean {
  return (
    a.os === b.os &&
    a.architecture === b.architecture &&
    (a.variant ?? '') === (b.variant ?? '') &&
    (a['os.version'] ?? '') === (b['os.version'] ?? '') &&
    sameSet(a['os.features'], b['os.features']) &&
    sameSet(a.features, b.features)
  );
}

/**
 * True when `p` satisfies `spec`: empty spec fields are wildcards and the spec's feature lists must
 * be subsets of `p`'s (ggcr `Satisfies`, used by `crane index filter`).
 */
function satisfies(p: Platform, spec: Platform): boolean {
  const eq = (want: string | undefined, have: string | undefined) => !want || want === (have ?? '');
  return (
    eq(spec.os, p.os) &&
    eq(spec.architecture, p.architecture) &&
    eq(spec.variant, p.variant) &&
    eq(spec['os.version'], p['os.version']) &&
    superset(p['os.features'], spec['os.features']) &&
    superset(p.features, spec.features)
  );
}

/** Reads a platform object inside a larger document (used by the descriptor guard). */
function fromJSON(v: unknown, path = 'platform'): Platform {
  return parsePlatformObject(v, path);
}

/** Functions over `Platform` values: `Platform.parse('linux/arm64/v8')`, `Platform.equals(a, b)`. */
export const Platform = { parse, toString, equals, satisfies, fromJSON } as const;

