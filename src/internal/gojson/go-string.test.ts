import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goString, sortGoKeys } from './go-string.ts';

test('HTML characters and the JavaScript line terminators are escaped as Go escapes them', () => {
  assert.equal(goString('<a href="x">&</a>'), '"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"');
  assert.equal(goString('a\u2028b\u2029c'), '"a\\u2028b\\u2029c"');
});

test('control characters: short forms for \\b \\t \\n \\f \\r, \\u00xx (lower-case hex) for the rest', () => {
  const expected: Record<number, string> = { 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0c: '\\f', 0x0d: '\\r' };
  for (let c = 0; c < 0x20; c++) {
    const want = expected[c] ?? `\\u00${c.toString(16).padStart(2, '0')}`;
    assert.equal(goString(String.fromCharCode(c)), `"${want}"`, `U+${c.toString(16).padStart(4, '0')}`);
  }
  assert.equal(goString('\x1b'), '"\\u001b"');
});

test('quote and backslash are escaped; DEL, slash and non-ASCII text are written as they are', () => {
  assert.equal(goString('"\\'), '"\\"\\\\"');
  assert.equal(goString('\x7f/é日本😀\u00a0\ufeff'), '"\x7f/é日本😀\u00a0\ufeff"');
  assert.equal(goString(''), '""');
});

test('a lone surrogate becomes U+FFFD, as Go reads it; a valid pair is kept', () => {
  assert.equal(goString('\ud800'), '"\ufffd"');
  assert.equal(goString('a\udc00b'), '"a\ufffdb"');
  assert.equal(goString('x\ud83d'), '"x\ufffd"');
  assert.equal(goString('\udc00\ud800'), '"\ufffd\ufffd"');
  assert.equal(goString('\ud83d\ude00<'), '"\ud83d\ude00\\u003c"');
  assert.ok(Buffer.from(goString('\ud800'), 'utf8').equals(Buffer.from([0x22, 0xef, 0xbf, 0xbd, 0x22])));
});

test('whatever the string, JSON.parse reads back the well-formed text', () => {
  const pool = ['a', 'Z', '<', '>', '&', '"', '\\', '\n', '\x00', '\x1f', '\x7f', '\u2028', '\u2029', 'é', '😀', '\ufffd', '/'];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  for (let n = 0; n < 500; n++) {
    const s = Array.from({ length: next() % 12 }, () => pool[next() % pool.length]).join('');
    assert.equal(JSON.parse(goString(s)), s);
  }
});

test('map keys sort by UTF-8 bytes (code points), not UTF-16 code units', () => {
  const keys = ['😀', '\uff01', 'é', 'a', 'B', '', 'a<b', '~'];
  assert.deepEqual(sortGoKeys(keys), ['', 'B', 'a', 'a<b', '~', 'é', '\uff01', '😀']);
  // JavaScript's default order differs exactly where UTF-16 puts astral characters first.
  assert.notDeepEqual([...keys].sort(), sortGoKeys(keys));
  assert.deepEqual(sortGoKeys(['b', 'a', 'B', 'A']), ['A', 'B', 'a', 'b']);
});

test('a lone surrogate key sorts as the U+FFFD it is written as', () => {
  assert.deepEqual(sortGoKeys(['\uffff', '\ud800', '\ufffc']), ['\ufffc', '\ud800', '\uffff']);
});
