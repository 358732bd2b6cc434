import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';
import { checkRange, checkRepository, checkTag, checkUploadId, newUploadId, parseReference } from './names.ts';

test('repository names follow the distribution grammar', () => {
  for (const ok of ['a', 'a/b/c', 'a-b', 'a---b', 'a__b', 'a_b.c', '0', 'x'.repeat(255)]) assert.equal(checkRepository(ok), ok);
  for (const bad of ['', 'A', 'a/', '/a', 'a//b', '..', 'a/../b', '_a', 'a/_b', '.a', 'a.', 'a___b', 'a b', 'x'.repeat(256)]) {
    assert.throws(() => checkRepository(bad), InvalidArgumentError, bad);
  }
});

test('tags follow the distribution grammar', () => {
  for (const ok of ['latest', 'V1.0', '_x', '1', 'a-b_c.d', 'x'.repeat(128)]) assert.equal(checkTag(ok), ok);
  for (const bad of ['', '.x', '-x', 'a/b', 'a:b', '..', 'x'.repeat(129)]) assert.throws(() => checkTag(bad), InvalidArgumentError, bad);
});

test('upload ids are lowercase UUIDs, fresh each time', () => {
  const a = newUploadId();
  assert.equal(checkUploadId(a), a);
  assert.notEqual(newUploadId(), a);
  for (const bad of ['', a.toUpperCase(), `${a}/..`, a.replaceAll('-', '')]) assert.throws(() => checkUploadId(bad), InvalidArgumentError);
});

test('a reference with a colon is a digest, otherwise a tag', () => {
  const d = Hash.of('x');
  assert.deepEqual(parseReference(d.toString()), { digest: d });
  assert.deepEqual(parseReference('v1'), { tag: 'v1' });
  assert.throws(() => parseReference('sha256:abc'), InvalidArgumentError);
  assert.throws(() => parseReference('../x'), InvalidArgumentError);
});

test('a byte range must lie inside the blob', () => {
  const d = Hash.of('x');
  checkRange({ start: 0, end: 9 }, 10, d);
  checkRange({ start: 9, end: 9 }, 10, d);
  for (const [start, end] of [[0, 10], [5, 4], [-1, 3], [0.5, 3]] as const) {
    assert.throws(() => checkRange({ start, end }, 10, d), InvalidArgumentError);
  }
});
