/**
 * @module The validation rule for each part of an image name (registry, repository, tag,
 * digest) and the `BadNameError` messages that say which part is wrong and why.
 */
import { isIP } from 'node:net';
import { BadNameError } from '../errors/index.ts';
import { Hash } from '../v1/hash.ts';

/** The longest repository path a registry must accept (distribution's limit; ggcr's too). */
export const MAX_REPOSITORY_LENGTH = 255;

/** The longest tag: the distribution spec's `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`. */
export const MAX_TAG_LENGTH = 128;

// ggcr checks characters only, with no path-component grammar (`a//b` and `-a` pass);
// registries enforce the rest and a stricter client would reject names they accept.
const repositoryChars = /^[a-z0-9_.\-/]*$/;
const tagChars = /^[A-Za-z0-9_.-]*$/;

// RFC 3986 reg-name: unreserved and sub-delims. `:` is allowed anywhere because Go's URL
// parser (which ggcr relies on) accepts an unbracketed `::1`, and ggcr treats it as loopback.
const hostChars = /^[A-Za-z0-9\-._~!$&'()*+,;=:]*$/;
const optionalPort = /^(?::\d*)?$/;

/**
 * Builds the error for one bad part: `repository "Foo" in "gcr.io/Foo:1": must contain …`.
 * When the part is the whole input the ` in "…"` is left out.
 */
export function badName(part: string, value: string, input: string, why: string, cause?: unknown): BadNameError {
  const where = value === input ? '' : ` in ${JSON.stringify(input)}`;
  return new BadNameError(`${part} ${JSON.stringify(value)}${where}: ${why}`, cause === undefined ? undefined : { cause });
}

/** True for the errors this module throws (ggcr's `IsErrBadName`). */
export function isErrBadName(err: unknown): err is BadNameError {
  return err instanceof BadNameError;
}

/** Throws unless `s` is a string; the parsers are called from untyped JavaScript too. */
export function requireString(s: unknown, what: string): asserts s is string {
  if (typeof s !== 'string') throw new BadNameError(`${what} must be a string, got ${s === null ? 'null' : typeof s}`);
}

/**
 * Rejects `https://gcr.io/x`, `docker://alpine` and the like. Without this a scheme would
 * parse as a registry `https:` with an empty port, and the reference would point nowhere.
 */
export function rejectUrlScheme(input: string): void {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(input)?.[1];
  if (scheme === undefined) return;
  const hint = /^https?$/i.test(scheme)
    ? '; to reach a registry over plain HTTP pass { insecure: true }'
    : '';
  throw new BadNameError(
    `reference ${JSON.stringify(input)}: must not start with a URL scheme ("${scheme}://"); write registry/repository[:tag|@digest]${hint}`,
  );
}

/**
 * A registry is an RFC 3986 authority, `host[:port]`, with no userinfo (ggcr requires that
 * `//name` parses as a URL whose host is exactly `name`). The empty string passes: it means
 * "the default registry" and strictness is the caller's business.
 */
export function checkRegistry(value: string, input: string, part = 'registry'): void {
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0) throw badName(part, value, input, 'has "[" without a closing "]"');
    const address = value.slice(1, end);
    // Go rejects non-IP text in brackets since the fix for CVE-2025-47912.
    if (isIP(address) !== 6) throw badName(part, value, input, `${JSON.stringify(address)} in brackets is not an IPv6 address`);
    if (!optionalPort.test(value.slice(end + 1))) {
      throw badName(part, value, input, 'must be [ipv6] or [ipv6]:port, with a port of digits only');
    }
    return;
  }
  if (!hostChars.test(value)) {
    throw badName(
      part,
      value,
      input,
      `must be a valid RFC 3986 authority, host[:port]: letters, digits and - . _ ~ ! $ & ' ( ) * + , ; = only`,
    );
  }
  const colon = value.lastIndexOf(':');
  if (colon >= 0 && !optionalPort.test(value.slice(colon))) {
    throw badName(part, value, input, `port ${JSON.stringify(value.slice(colon + 1))} must be digits only`);
  }
}

/** 1–255 characters from `[a-z0-9_.-/]`. */
export function checkRepository(value: string, input: string): void {
  if (value === '') throw badName('repository', value, input, 'must not be empty');
  if (!repositoryChars.test(value)) {
    throw badName('repository', value, input, 'must contain only lowercase letters, digits and . _ - /');
  }
  if (value.length > MAX_REPOSITORY_LENGTH) {
    throw badName('repository', value, input, `is ${value.length} characters long; the limit is ${MAX_REPOSITORY_LENGTH}`);
  }
}

/** 1–128 characters from `[A-Za-z0-9_.-]`. */
export function checkTag(value: string, input: string, part = 'tag'): void {
  if (value === '') throw badName(part, value, input, 'must not be empty (leave out the ":" to use the default tag)');
  if (!tagChars.test(value)) throw badName(part, value, input, 'must contain only letters, digits and . _ -');
  if (value.length > MAX_TAG_LENGTH) {
    throw badName(part, value, input, `is ${value.length} characters long; the limit is ${MAX_TAG_LENGTH}`);
  }
}

/**
 * `sha256:` + 64 or `sha512:` + 128 lowercase hex digits, as `Hash` accepts (ggcr takes only
 * sha256 at the inventory's snapshot; sha512 landed upstream later, #2427).
 */
export function checkDigest(value: string, input: string): Hash {
  if (value === '') throw badName('digest', value, input, 'must not be empty; want algorithm:hex after "@"');
  try {
    return Hash.parse(value);
  } catch (err) {
    throw badName('digest', value, input, (err as Error).message, err);
  }
}
