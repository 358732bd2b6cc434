import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../errors/index.ts';
import { encodeHeader } from './encode-header.ts';
import type { TarHeader } from './header.ts';

const base: TarHeader = { name: 'f', type: 'file', mode: 0o644, mtime: new Date(1_700_000_000_000) };

function paxData(bytes: Buffer): string {
  const size = parseInt(bytes.toString('latin1', 124, 135), 8);
  return bytes.toString('utf8', 512, 512 + size);
}

test('a plain header is one USTAR block; a sub-second mtime is rounded, not a reason for PAX', () => {
  const out = encodeHeader({ ...base, mtime: new Date(1_700_000_000_600) });
  assert.equal(out.length, 512);
  assert.equal(out.toString('latin1', 257, 265), 'ustar\x0000');
  assert.equal(parseInt(out.toString('latin1', 136, 147), 8), 1_700_000_001);
});

test('with format pax, a PAX record keeps the nanoseconds that name the same millisecond', () => {
  const kept = encodeHeader({ ...base, mtime: new Date(1_700_000_000_123), pax: { mtime: '1700000000.123456789' }, format: 'pax' });
  assert.equal(paxData(kept), '30 mtime=1700000000.123456789\n');
  const moved = encodeHeader({ ...base, mtime: new Date(1_700_000_000_500), pax: { mtime: '1700000000.123456789' }, format: 'pax' });
  assert.equal(paxData(moved), '22 mtime=1700000000.5\n', 'a record that disagrees with the Date gives way');
});

test('caller PAX records are written sorted, and basic keys never override fields', () => {
  const out = encodeHeader({ ...base, pax: { zeta: '1', alpha: '2', uid: '99' } });
  assert.equal(paxData(out), '11 alpha=2\n9 zeta=1\n');
  assert.equal(out.toString('latin1', 0, 15), 'PaxHeaders.0/f\0');
});

test('refuses headers no format can hold, naming the entry', () => {
  const bad: Array<[TarHeader, RegExp]> = [
    [{ ...base, pax: { big: 'x'.repeat(1 << 20) } }, /over the 1 MiB limit/],
    [{ name: 'g', type: 'pax-global', mode: 0o644, pax: {} }, /only name and pax/],
    [{ name: 'x', type: 'other', typeflag: 'x' }, /written by the writer itself/],
    [{ name: 'x', type: 'other', typeflag: 'ab' }, /one byte/],
    [{ name: 'x', type: 'other' }, /one byte/],
    [{ ...base, pax: { 'a=b': 'c' } }, /invalid PAX record/],
    [{ ...base, mtime: new Date(NaN) }, /valid Date/],
    [{ ...base, uid: 1.5 }, /uid must be an integer/],
    [{ ...base, size: -1 }, /negative size/],
    [{ ...base, name: 'a\0b', format: 'gnu' }, /invalid PAX record "path = a/],
  ];
  for (const [header, message] of bad) {
    assert.throws(() => encodeHeader(header), (err: Error) => {
      assert.ok(hasCode(err, 'ERR_INVALID_ARGUMENT'), String(err));
      assert.match(err.message, message);
      assert.ok(err.message.includes(JSON.stringify(header.name)), err.message);
      return true;
    });
  }
});
