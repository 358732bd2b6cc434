import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as der from './der.ts';

const hex = (b: Buffer): string => b.toString('hex');

test('lengths use the short form below 128 and the long form above', () => {
  assert.equal(hex(der.octetString(Buffer.alloc(127))).slice(0, 4), '047f');
  assert.equal(hex(der.octetString(Buffer.alloc(128))).slice(0, 6), '048180');
  assert.equal(hex(der.octetString(Buffer.alloc(300))).slice(0, 8), '0482012c');
});

test('integers are minimal and never read as negative', () => {
  assert.equal(hex(der.unsignedInteger(0)), '020100');
  assert.equal(hex(der.unsignedInteger(2)), '020102');
  assert.equal(hex(der.unsignedInteger(128)), '02020080');
  assert.equal(hex(der.unsignedInteger(Buffer.from('0000ff', 'hex'))), '020200ff');
  assert.equal(hex(der.unsignedInteger(Buffer.from('000001', 'hex'))), '020101');
});

test('object identifiers encode as X.690 says (the RSA-SHA256 and ECDSA-SHA256 ones)', () => {
  assert.equal(hex(der.objectIdentifier('1.2.840.113549.1.1.11')), '06092a864886f70d01010b');
  assert.equal(hex(der.objectIdentifier('1.2.840.10045.4.3.2')), '06082a8648ce3d040302');
  assert.equal(hex(der.objectIdentifier('2.5.29.19')), '0603551d13');
});

test('named bit strings drop trailing zero bits', () => {
  // keyUsage digitalSignature only: one byte, seven unused bits.
  assert.equal(hex(der.namedBits([true])), '03020780');
  // digitalSignature, keyCertSign, cRLSign: 0x86 with one unused bit.
  assert.equal(hex(der.namedBits([true, false, false, false, false, true, true])), '03020186');
  assert.equal(hex(der.namedBits([false, false])), '030100');
});

test('times before 2050 are UTCTime, later ones GeneralizedTime, in whole seconds', () => {
  assert.equal(der.time(new Date('2024-02-29T12:34:56.789Z')).toString('latin1'), '\x17\x0d240229123456Z');
  assert.equal(der.time(new Date('2050-01-01T00:00:00Z')).toString('latin1'), '\x18\x0f20500101000000Z');
});
