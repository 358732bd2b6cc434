import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Time } from './time.ts';
import { BadDocumentError, InvalidArgumentError } from '../errors/index.ts';

// Tests run from src/ (tsx) and from dist/src/ (compiled): find the checkout by its package.json.
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

interface GoTimeCase {
  input: string;
  output?: string;
  error?: boolean;
}

// What Go's time.Time UnmarshalJSON accepts and MarshalJSON writes back (test/golden/gojson/gen.go).
const goCases = JSON.parse(readFileSync(join(repoRoot(), 'test', 'golden', 'gojson', 'times.json'), 'utf8')) as GoTimeCase[];

test('the Go time cases were read, both accepted and rejected ones', () => {
  assert.ok(goCases.filter((c) => c.error).length >= 10);
  assert.ok(goCases.filter((c) => c.output).length >= 20);
});

for (const c of goCases) {
  if (c.error) {
    test(`parse rejects ${JSON.stringify(c.input)} as Go does`, () => {
      assert.throws(() => Time.parse(c.input), BadDocumentError);
    });
  } else {
    test(`parse ${JSON.stringify(c.input)} → ${c.output} as Go does`, () => {
      const t = Time.parse(c.input);
      assert.equal(t.toString(), c.output);
      assert.equal(t.marshalText(), c.output);
    });
  }
}

test("zero() is Go's zero time and isZero sees the instant, not the offset", () => {
  assert.equal(Time.zero().toString(), '0001-01-01T00:00:00Z');
  assert.ok(Time.zero().isZero());
  const shifted = Time.parse('0001-01-01T01:00:00+01:00');
  assert.ok(shifted.isZero());
  assert.equal(shifted.toString(), '0001-01-01T01:00:00+01:00');
  assert.ok(!Time.parse('0001-01-01T00:00:00.000000001Z').isZero());
});

test('seconds count from the Unix epoch in UTC, whatever the offset', () => {
  assert.equal(Time.parse('1970-01-01T00:00:00Z').seconds, 0);
  assert.equal(Time.parse('2024-01-02T03:04:05+05:30').seconds, Date.UTC(2024, 0, 1, 21, 34, 5) / 1000);
  assert.equal(Time.parse('1969-12-31T23:59:59.5Z').seconds, -1);
  assert.equal(Time.parse('1969-12-31T23:59:59.5Z').nanos, 500_000_000);
});

test('equals compares instants (Go Equal), across offsets', () => {
  assert.ok(Time.parse('2024-01-02T03:04:05Z').equals(Time.parse('2024-01-02T08:34:05+05:30')));
  assert.ok(!Time.parse('2024-01-02T03:04:05Z').equals(Time.parse('2024-01-02T03:04:05.000000001Z')));
});

test('fromDate and toDate keep the instant to the millisecond', () => {
  const d = new Date('2024-01-02T03:04:05.678Z');
  const t = Time.fromDate(d);
  assert.equal(t.toString(), '2024-01-02T03:04:05.678Z');
  assert.equal(t.toDate().getTime(), d.getTime());
  assert.equal(Time.fromDate(new Date(-1)).toString(), '1969-12-31T23:59:59.999Z');
  assert.equal(Time.parse('0005-06-07T08:09:10.123456789Z').toDate().toISOString(), '0005-06-07T08:09:10.123Z');
  assert.throws(() => Time.fromDate(new Date('nope')), InvalidArgumentError);
});

test('offsets of 24 hours parse (Go accepts them) but do not marshal (Go ≥ 1.20 refuses)', () => {
  const t = Time.parse('2024-01-01T00:00:00+23:60');
  assert.equal(t.offsetMinutes, 24 * 60);
  assert.equal(t.toString(), '2024-01-01T00:00:00+24:00');
  assert.throws(() => t.marshalText(), /timezone hour outside of range/);
  assert.throws(() => Time.parse('2024-01-01T00:00:00+25:00'), BadDocumentError);
});

test('years outside 0…9999 format as Go formats them and do not marshal', () => {
  const late = new Time(Time.parse('9999-12-31T23:59:59Z').seconds + 1);
  assert.equal(late.toString(), '10000-01-01T00:00:00Z');
  assert.throws(() => late.marshalText(), /year outside of range/);
  const early = new Time(Time.parse('0000-01-01T00:00:00Z').seconds - 1);
  assert.equal(early.toString(), '-0001-12-31T23:59:59Z');
  assert.throws(() => early.marshalText(), /year outside of range/);
});

test('parse errors name the document path and the text', () => {
  assert.throws(() => Time.parse('2024-02-30T00:00:00Z', 'history[2].created'), (e: unknown) => {
    assert.ok(e instanceof BadDocumentError);
    assert.equal(e.path, 'history[2].created');
    assert.match(e.message, /"2024-02-30T00:00:00Z": day out of range/);
    return true;
  });
});

test('the constructor refuses values that are not a time', () => {
  assert.throws(() => new Time(0, 1e9), InvalidArgumentError);
  assert.throws(() => new Time(0, -1), InvalidArgumentError);
  assert.throws(() => new Time(0.5), InvalidArgumentError);
  assert.throws(() => new Time(0, 0, 1.5), InvalidArgumentError);
  assert.equal(new Time(0, 999_999_999, -90).toString(), '1969-12-31T22:30:00.999999999-01:30');
});

test('JSON.stringify writes the RFC 3339 text', () => {
  assert.equal(JSON.stringify({ created: Time.parse('2024-01-02T03:04:05.10Z') }), '{"created":"2024-01-02T03:04:05.1Z"}');
});
