/**
 * @module Parsing the `Retry-After` response header (RFC 9110 §10.2.3).
 */

const delaySeconds = /^\d+$/;
// asctime-date (RFC 9110 §5.6.7) has no zone but means GMT; Date.parse would read it as local.
const asctime = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * The delay a `Retry-After` value asks for, in milliseconds: `delay-seconds` or an `HTTP-date`
 * (IMF-fixdate, or the obsolete RFC 850 and asctime forms) measured from `now`. A date in the
 * past is 0; a missing or malformed value is `undefined`.
 *
 * @example
 * parseRetryAfter('120'); // 120000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:00 GMT')); // 60000
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (delaySeconds.test(v)) return Number(v) * 1000;
  // A bare number Date.parse would take as a year; anything date-like has letters (day, month).
  if (!/[A-Za-z]/.test(v)) return undefined;
  const at = Date.parse(asctime.test(v) ? `${v} GMT` : v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
