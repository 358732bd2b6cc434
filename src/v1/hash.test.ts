import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Hash } from './hash.ts';
import { hasCode } from '../errors/index.ts';

const hex64 = 'a'.repeat(64);

test('Hash.parse accepts sha256 and sha512 and round-trips to the same string', () => {
  for (const s of [`sha256:${hex64}`, `sha512:${'0123456789abcdef'.repeat(8)}`]) {
    const h = Hash.parse(s);
    assert.equal(h.toString(), s);
    assert.equal(JSON.stringify({ h }), `{"h":"${s}"}`);
  }
});

test('Hash.parse rejects each malformed part with ERR_BAD_HASH and says what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['sha256', /want "algorithm:hex"/],
    [`md5:${hex64}`, /unsupported hash algorithm "md5"/],
    [`sha256:${'a'.repeat(63)}`, /64 characters, got 63/],
    [`sha256:${'A'.repeat(64)}`, /lowercase hexadecimal/],
    [`sha512:${hex64}`, /128 characters, got 64/],
    [`sha256:${'g'.repeat(64)}`, /lowercase hexadecimal/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => Hash.parse(input), (e: unknown) => hasCode(e, 'ERR_BAD_HASH') && message.test((e as Error).message), input);
  }
});

test('Hash.of and Hash.fromStream agree with node:crypto and count bytes', async () => {
  const data = Buffer.from('hello, layers');
  const want = createHash('sha256').update(data).digest('hex');
  assert.equal(Hash.of(data).hex, want);
  const { hash, size } = await Hash.fromStream(Readable.from([data.subarray(0, 5), data.subarray(5)]));
  assert.equal(hash.hex, want);
  assert.equal(size, data.length);
  const s512 = await Hash.fromStream(Readable.from([data]), { algorithm: 'sha512' });
  assert.equal(s512.hash.hex, createHash('sha512').update(data).digest('hex'));
});

test('Hash.fromStream stops when the signal aborts', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(Hash.fromStream(Readable.from([Buffer.from('x')]), { signal: ac.signal }), { name: 'AbortError' });
});

test('hashes are frozen values compared by content', () => {
  const a = Hash.parse(`sha256:${hex64}`);
  assert.ok(Object.isFrozen(a));
  assert.ok(a.equals(`sha256:${hex64}`));
  assert.ok(a.equals(Hash.parse(`sha256:${hex64}`)));
  assert.ok(!a.equals(undefined));
});
