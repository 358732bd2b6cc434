import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter } from './retry-after.ts';

const now = Date.parse('2015-10-21T07:27:00Z');

test('delay-seconds', () => {
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
});

test('HTTP-date in all three RFC 9110 forms', () => {
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', now), 60_000);
  assert.equal(parseRetryAfter('Wednesday, 21-Oct-15 07:28:00 GMT', now), 60_000);
  assert.equal(parseRetryAfter('Wed Oct 21 07:28:00 2015', now), 60_000);
});

test('a date in the past is no wait', () => {
  assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', now), 0);
});

test('missing or malformed values are undefined', () => {
  for (const v of [undefined, null, '', '   ', '-5', '1.5', '2015-10-21', 'soon', '12abc']) {
    assert.equal(parseRetryAfter(v, now), undefined, JSON.stringify(v));
  }
});
