/**
 * @module Timestamps in configs and history, kept and written the way Go's `time.Time` JSON does
 * (RFC 3339 with nanoseconds, trailing zeros trimmed, offset kept, `Z` for UTC), so a config that
 * goes through parse → serialize keeps its bytes.
 */
import { BadDocumentError } from '../errors/index.ts';

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/** An instant with nanosecond precision and the UTC offset it was written with. */
export class Time {
  /** Seconds since the Unix epoch (may be negative: Go's zero time is year 1). */
  readonly seconds: number;
  /** 0 ≤ nanos < 1e9. */
  readonly nanos: number;
  /** Offset from UTC in minutes that the time is shown in (0 = `Z`). */
  readonly offsetMinutes: number;

  constructor(seconds: number, nanos = 0, offsetMinutes = 0) {
    this.seconds = seconds;
    this.nanos = nanos;
    this.offsetMinutes = offsetMinutes;
    Object.freeze(this);
  }

  /** Go's zero `time.Time`, written as `0001-01-01T00:00:00Z`. */
  static zero(): Time {
    // Date.UTC maps years 0–99 to 1900–1999, so year 1 is set explicitly.
    const d = new Date(0);
    d.setUTCFullYear(1, 0, 1);
    d.setUTCHours(0, 0, 0, 0);
    return new Time(d.getTime() / 1000, 0, 0);
  }

  static fromDate(d: Date): Time {
    const ms = d.getTime();
    const seconds = Math.floor(ms / 1000);
    return new Time(seconds, (ms - seconds * 1000) * 1e6, 0);
  }

  /** Parses RFC 3339 (as Go's `time.Time.UnmarshalJSON` accepts). */
  static parse(s: string, path = 'time'): Time {
    const m = rfc3339.exec(s);
    if (!m) throw new BadDocumentError(`invalid RFC 3339 time ${JSON.stringify(s)}`, path);
    const [, y, mo, d, h, mi, se, frac = '', zone = 'Z'] = m;
    const date = new Date(0);
    date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
    date.setUTCHours(Number(h), Number(mi), Number(se), 0);
    let offset = 0;
    if (zone !== 'Z' && zone !== 'z') {
      const sign = zone[0] === '-' ? -1 : 1;
      offset = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
    }
    const nanos = Number((frac + '000000000').slice(0, 9));
    return new Time(date.getTime() / 1000 - offset * 60, nanos, offset);
  }

  isZero(): boolean {
    return this.equals(Time.zero());
  }

  equals(o: Time): boolean {
    return this.seconds === o.seconds && this.nanos === o.nanos;
  }

  toDate(): Date {
    return new Date(this.seconds * 1000 + Math.floor(this.nanos / 1e6));
  }

  /** Go's RFC3339Nano form, as `encoding/json` writes a `time.Time`. */
  toString(): string {
    const local = new Date((this.seconds + this.offsetMinutes * 60) * 1000);
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    let s = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
    if (this.nanos) s += `.${pad(this.nanos, 9).replace(/0+$/, '')}`;
    if (this.offsetMinutes === 0) return `${s}Z`;
    const a = Math.abs(this.offsetMinutes);
    return `${s}${this.offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
  }

  toJSON(): string {
    return this.toString();
  }
}
