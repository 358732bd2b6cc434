import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockPadding, checksums, FIELDS, getNumeric, putChecksum, putNumeric, putOctal, putString } from './fields.ts';

const field = (block: Buffer, [offset, width]: readonly [number, number]): string => block.toString('latin1', offset, offset + width);

test('putOctal zero-pads and NUL-terminates, and writes 0 for what does not fit', () => {
  const block = Buffer.alloc(512);
  assert.equal(putOctal(block, FIELDS.mode, 0o644), true);
  assert.equal(field(block, FIELDS.mode), '0000644\0');
  assert.equal(putOctal(block, FIELDS.size, 8 * 1024 ** 3 - 1), true);
  assert.equal(field(block, FIELDS.size), '77777777777\0');
  assert.equal(putOctal(block, FIELDS.size, 8 * 1024 ** 3), false);
  assert.equal(field(block, FIELDS.size), '00000000000\0');
  assert.equal(putOctal(block, FIELDS.uid, -1), false);
});

test('putNumeric switches to GNU base-256 when octal cannot hold the value', () => {
  const block = Buffer.alloc(512);
  putNumeric(block, FIELDS.uid, 2_097_152);
  assert.deepEqual([...block.subarray(108, 116)], [0x80, 0, 0, 0, 0, 0x20, 0, 0]);
  putNumeric(block, FIELDS.gid, -1);
  assert.deepEqual([...block.subarray(116, 124)], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  assert.equal(getNumeric(block, FIELDS.uid), 2_097_152);
  assert.equal(getNumeric(block, FIELDS.gid), -1);
  putNumeric(block, FIELDS.size, 2 ** 40);
  assert.equal(getNumeric(block, FIELDS.size), 2 ** 40);
  assert.equal(putNumeric(block, FIELDS.uid, 2 ** 56), false, '8 bytes of base-256 hold less than 2^56');
});

test('getNumeric reads octal padded with spaces or NULs, and refuses anything else', () => {
  const block = Buffer.alloc(512);
  for (const [text, value] of [['0000644\0', 0o644], ['000644 \0', 0o644], ['  644   ', 0o644], ['\0\0\0\0\0\0\0\0', 0], ['644\0junk', 0o644]] as const) {
    block.write(text, 100, 'latin1');
    assert.equal(getNumeric(block, FIELDS.mode), value, JSON.stringify(text));
  }
  block.write('0000 64\0', 100, 'latin1');
  assert.ok(Number.isNaN(getNumeric(block, FIELDS.mode)));
  block.write('000008\0\0', 100, 'latin1');
  assert.ok(Number.isNaN(getNumeric(block, FIELDS.mode)));
  block.fill(0xff, 124, 136);
  block[124] = 0x80;
  assert.ok(Number.isNaN(getNumeric(block, FIELDS.size)), 'beyond 2^63 is an overflow');
});

test('putString cuts long values and never leaves a trailing slash in a cut field', () => {
  const block = Buffer.alloc(512);
  assert.equal(putString(block, FIELDS.name, Buffer.from(`${'a'.repeat(99)}/bbb`)), false);
  assert.equal(block[99], 0, 'the slash that would end the cut name is dropped');
  assert.equal(putString(block, FIELDS.uname, Buffer.from('root')), true);
  assert.equal(field(block, FIELDS.uname).replace(/\0+$/, ''), 'root');
});

test('the checksum is six octal digits, NUL, space, over the block with the field as spaces', () => {
  const block = Buffer.alloc(512);
  block.write('name', 0);
  putChecksum(block);
  const sum = 'name'.split('').reduce((n, c) => n + c.charCodeAt(0), 0) + 8 * 0x20;
  assert.equal(field(block, FIELDS.checksum), `${sum.toString(8).padStart(6, '0')}\0 `);
  assert.equal(checksums(block).unsigned, sum);
  block[200] = 0xff;
  assert.equal(checksums(block).signed, checksums(block).unsigned - 256);
});

test('blockPadding reaches the next 512-byte boundary', () => {
  assert.deepEqual([0, 1, 511, 512, 513].map(blockPadding), [0, 511, 1, 0, 511]);
});
