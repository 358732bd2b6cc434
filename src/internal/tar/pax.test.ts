import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPaxRecord, formatPaxTime, parsePaxRecords, parsePaxTime } from './pax.ts';

test('formatPaxRecord counts its own length, carrying into one more digit', () => {
  assert.equal(formatPaxRecord('a', 'b'), '6 a=b\n');
  assert.equal(formatPaxRecord('path', '/etc/'), '14 path=/etc/\n');
  assert.equal(formatPaxRecord('path', 'é'), '11 path=é\n', 'lengths are in bytes');
  const carried = formatPaxRecord('a', 'v'.repeat(94));
  assert.equal(carried.slice(0, 4), '101 ');
  assert.equal(Buffer.byteLength(carried), 101);
});

test('parsePaxRecords reads records and reports the first bad one', () => {
  const ok = parsePaxRecords(Buffer.from('6 a=b\n8 c=d=e\n19 __proto__=value\n'));
  assert.ok('records' in ok);
  assert.deepEqual(Object.entries(ok.records), [['a', 'b'], ['c', 'd=e'], ['__proto__', 'value']]);
  assert.equal(Object.getPrototypeOf(ok.records), Object.prototype);
  for (const bad of ['6 a=b', '5 a=b\n', 'x a=b\n', '6 ab\n\n', '12 path=a\0b\n', '4 =\n\n']) {
    assert.ok('error' in parsePaxRecords(Buffer.from(bad)), JSON.stringify(bad));
  }
});

test('formatPaxTime writes seconds and a trimmed fraction, negative times as Go does', () => {
  assert.equal(formatPaxTime({ sec: 1_700_000_000, nsec: 0 }), '1700000000');
  assert.equal(formatPaxTime({ sec: 1, nsec: 500_000_000 }), '1.5');
  assert.equal(formatPaxTime({ sec: 0, nsec: 1 }), '0.000000001');
  assert.equal(formatPaxTime({ sec: -2, nsec: 500_000_000 }), '-1.5');
  assert.equal(formatPaxTime({ sec: -1, nsec: 1 }), '-0.999999999');
});

test('parsePaxTime reads what formatPaxTime writes, truncating past nanoseconds', () => {
  assert.deepEqual(parsePaxTime('1.5'), { sec: 1, nsec: 500_000_000 });
  assert.deepEqual(parsePaxTime('-1.5'), { sec: -2, nsec: 500_000_000 });
  assert.deepEqual(parsePaxTime('-0'), { sec: 0, nsec: 0 });
  assert.deepEqual(parsePaxTime('1.1234567891'), { sec: 1, nsec: 123_456_789 });
  assert.deepEqual(parsePaxTime('1700000000.'), { sec: 1_700_000_000, nsec: 0 });
  for (const bad of ['', '.5', 'abc', '1.-5', '1.5e3', '99999999999999999999']) assert.equal(parsePaxTime(bad), undefined, bad);
  for (const t of [{ sec: -2, nsec: 500_000_000 }, { sec: 5, nsec: 7 }, { sec: -1, nsec: 1 }]) {
    assert.deepEqual(parsePaxTime(formatPaxTime(t)), t);
  }
});
