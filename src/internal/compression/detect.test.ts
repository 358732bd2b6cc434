import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { detectCompression, MAGIC_LENGTH } from './detect.ts';

test('gzip is recognised by 1f 8b, even when nothing follows', () => {
  assert.equal(detectCompression(gzipSync('hello')), 'gzip');
  assert.equal(detectCompression(Uint8Array.of(0x1f, 0x8b)), 'gzip');
});

test('zstd is recognised by its four-byte frame magic', () => {
  assert.equal(detectCompression(Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x00)), 'zstd');
  assert.equal(MAGIC_LENGTH, 4);
});

test('short, empty and near-miss input is none', () => {
  assert.equal(detectCompression(new Uint8Array(0)), 'none');
  assert.equal(detectCompression(Uint8Array.of(0x1f)), 'none');
  assert.equal(detectCompression(Uint8Array.of(0x28, 0xb5, 0x2f)), 'none');
  assert.equal(detectCompression(Uint8Array.of(0x28, 0xb5, 0x2f, 0xfe)), 'none');
  assert.equal(detectCompression(Uint8Array.of(0x8b, 0x1f)), 'none');
  assert.equal(detectCompression(Buffer.from('ustar tar header')), 'none');
});
