import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DigestMismatchError, InvalidArgumentError, SizeMismatchError } from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';
import { verifyDescriptorData } from './descriptor-data.ts';

const data = new TextEncoder().encode('{"architecture":"amd64"}');

test('matching inline data is returned', () => {
  assert.equal(verifyDescriptorData({ digest: Hash.of(data), size: data.length, data }), data);
  const d512 = Hash.of(data, 'sha512');
  assert.equal(verifyDescriptorData({ digest: d512, size: data.length, data }), data);
});

test('a wrong size is a SizeMismatchError', () => {
  assert.throws(() => verifyDescriptorData({ digest: Hash.of(data), size: data.length + 1, data }), (err: unknown) => {
    assert.ok(err instanceof SizeMismatchError);
    assert.equal(err.actual, data.length);
    assert.match(err.message, /^size mismatch for inline data of sha256:[0-9a-f]{64}: expected 25 bytes, got 24$/);
    return true;
  });
});

test('a wrong digest is a DigestMismatchError in the expected/got form', () => {
  const wrong = Hash.of('something else');
  assert.throws(() => verifyDescriptorData({ digest: wrong, size: data.length, data }, { what: 'config' }), (err: unknown) => {
    assert.ok(err instanceof DigestMismatchError);
    assert.equal(err.message, `digest mismatch for config: expected ${wrong}, got ${Hash.of(data)}`);
    return true;
  });
});

test('no data at all is refused', () => {
  assert.throws(() => verifyDescriptorData({ digest: Hash.of(data), size: data.length }), InvalidArgumentError);
});
