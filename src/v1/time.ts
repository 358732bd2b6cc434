/**
 * @module Timestamps in configs and history, read and written the way Go's `time.Time` JSON does
 * (RFC 3339 with nanoseconds, trailing zeros trimmed, the offset kept, `Z` for a zero offset), so
 * a config that goes through parse → serialize keeps its bytes.
 */
import { BadDocumentError, InvalidArgumentError } from '../errors/index.ts';

const SECONDS_PER_DAY = 86_400;

// Calendar arithmetic on the proleptic Gregorian calendar (as Go's), in days since 1970-01-01.
// `Date` is no help: `Date.UTC` maps years 0–99 to 1900–1999 and it has only milliseconds.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  return era * 146_097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719_468;
}

function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day: doy - Math.floor((153 * mp + 2) / 5) + 1 };
}

function daysIn(month: number, year: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Go's zero time, 0001-01-01T00:00:00Z, in Unix seconds. */
const ZERO_SECONDS = daysFromCivil(1, 1, 1) * SECONDS_PER_DAY;

const isDigit = (s: string, i: number) => i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;

/** Go's `appendInt(b, x, width)`: sign, then the digits zero-padded to `width`. */
function pad(n: number, width: number): string {
  const digits = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${digits}` : digits;
}

/** An instant with nanosecond precision and the UTC offset it was written with. */
export class Time {
  /** Seconds since the Unix epoch (negative before 1970: Go's zero time is year 1). */
  readonly seconds: number;
  /** 0 ≤ nanos < 1e9. */
  readonly nanos: number;
  /** Offset from UTC in minutes that the time is shown in (0 = `Z`). */
  readonly offsetMinutes: number;

  /** Throws `InvalidArgumentError` unless all three are integers and `nanos` is in [0, 1e9). */
  constructor(seconds: number, nanos = 0, offsetMinutes = 0) {
    if (!Number.isSafeInteger(seconds) || !Number.isInteger(nanos) || nanos < 0 || nanos >= 1e9 || !Number.isSafeInteger(offsetMinutes)) {
      throw new InvalidArgumentError(`invalid time: seconds ${seconds}, nanos ${nanos}, offset ${offsetMinutes} minutes`);
    }
    this.seconds = seconds;
    this.nanos = nanos;
    this.offsetMinutes = offsetMinutes;
    Object.freeze(this);
  }

  /** Go's zero `time.Time`, written as `0001-01-01T00:00:00Z`. */
  static zero(): Time {
    return new Time(ZERO_SECONDS, 0, 0);
  }

  /** The instant of `d` (millisecond precision), shown in UTC. */
  static fromDate(d: Date): Time {
    const ms = d.getTime();
    if (Number.isNaN(ms)) throw new InvalidArgumentError('invalid time: the Date is invalid');
    const seconds = Math.floor(ms / 1000);
    return new Time(seconds, (ms - seconds * 1000) * 1e6, 0);
  }

  /**
   * Parses RFC 3339 as Go's `time.Time.UnmarshalJSON` does (layout `2006-01-02T15:04:05Z07:00`):
   * a four-digit year; two-digit month, day, minute and second, checked against the calendar; a
   * one- or two-digit hour; an optional fraction after `.` or `,` (digits past nine are dropped);
   * then `Z` or `±hh:mm` (up to 24:60, as Go accepts). Upper-case `T` and `Z` only; nothing
   * before or after. Throws `BadDocumentError` naming `path`.
   */
  static parse(s: string, path = 'time'): Time {
    const bad = (why: string): never => {
      throw new BadDocumentError(`invalid RFC 3339 time ${JSON.stringify(s)}: ${why}`, path);
    };
    let p = 0;
    const expect = (c: string) => {
      if (s[p] !== c) bad(`expected ${JSON.stringify(c)} at offset ${p}`);
      p++;
    };
    const digits = (n: number, what: string): number => {
      for (let i = 0; i < n; i++) if (!isDigit(s, p + i)) bad(`expected ${n}-digit ${what}`);
      p += n;
      return Number(s.slice(p - n, p));
    };
    const year = digits(4, 'year');
    expect('-');
    const month = digits(2, 'month');
    expect('-');
    const day = digits(2, 'day');
    expect('T');
    const hour = digits(isDigit(s, p + 1) ? 2 : 1, 'hour');
    expect(':');
    const minute = digits(2, 'minute');
    expect(':');
    const second = digits(2, 'second');
    let nanos = 0;
    if ((s[p] === '.' || s[p] === ',') && isDigit(s, p + 1)) {
      const start = ++p;
      while (isDigit(s, p)) p++;
      nanos = Number(s.slice(start, Math.min(p, start + 9)).padEnd(9, '0'));
    }
    let offset = 0;
    if (s[p] === 'Z') p++;
    else {
      const sign = s[p] === '+' ? 1 : s[p] === '-' ? -1 : bad('expected Z or ±hh:mm');
      p++;
      const oh = digits(2, 'offset hour');
      expect(':');
      const om = digits(2, 'offset minute');
      // Go lets offsets of 24 hours or 60 minutes through ("some people do write them").
      if (oh > 24 || om > 60) bad('offset out of range');
      offset = sign * (oh * 60 + om);
    }
    if (p !== s.length) bad(`unexpected ${JSON.stringify(s.slice(p))} at offset ${p}`);
    if (month < 1 || month > 12) bad('month out of range');
    if (day < 1 || day > daysIn(month, year)) bad('day out of range');
    if (hour > 23) bad('hour out of range');
    if (minute > 59) bad('minute out of range');
    if (second > 59) bad('second out of range');
    const local = daysFromCivil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second;
    return new Time(local - offset * 60, nanos, offset);
  }

  /** True for Go's zero instant, whatever offset it is shown in (Go's `IsZero`). */
  isZero(): boolean {
    return this.seconds === ZERO_SECONDS && this.nanos === 0;
  }

  /** Same instant (Go's `Equal`): the offset it is shown in does not matter. */
  equals(o: Time): boolean {
    return this.seconds === o.seconds && this.nanos === o.nanos;
  }

  /** The instant as a `Date`, truncated to milliseconds. */
  toDate(): Date {
    return new Date(this.seconds * 1000 + Math.floor(this.nanos / 1e6));
  }

  #format(): { text: string; year: number } {
    const local = this.seconds + this.offsetMinutes * 60;
    const days = Math.floor(local / SECONDS_PER_DAY);
    const secs = local - days * SECONDS_PER_DAY;
    const { year, month, day } = civilFromDays(days);
    let text = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${pad(secs % 60, 2)}`;
    if (this.nanos) text += `.${pad(this.nanos, 9).replace(/0+$/, '')}`;
    if (this.offsetMinutes === 0) return { text: `${text}Z`, year };
    const a = Math.abs(this.offsetMinutes);
    return { text: `${text}${this.offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(a / 60), 2)}:${pad(a % 60, 2)}`, year };
  }

  /**
   * Go's `Format(time.RFC3339Nano)`: `2024-01-02T03:04:05.12+05:30`, fraction without trailing
   * zeros (none when zero), `Z` when the offset is zero (also for a parsed `+00:00`).
   */
  toString(): string {
    return this.#format().text;
  }

  /**
   * What Go's `MarshalJSON`/`MarshalText` writes (without quotes), which is `toString()`; throws
   * `InvalidArgumentError` where they fail: a year outside [0, 9999] or an offset of 24 hours or
   * more, which RFC 3339 cannot express.
   */
  marshalText(): string {
    const { text, year } = this.#format();
    if (year < 0 || year > 9999) throw new InvalidArgumentError(`cannot marshal time ${text}: year outside of range [0,9999]`);
    if (Math.abs(this.offsetMinutes) >= 24 * 60) {
      throw new InvalidArgumentError(`cannot marshal time ${text}: timezone hour outside of range [0,23]`);
    }
    return text;
  }

  toJSON(): string {
    return this.toString();
  }
}
