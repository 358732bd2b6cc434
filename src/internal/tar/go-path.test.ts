import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanPath, joinPath, splitPath } from './go-path.ts';

test('cleanPath gives what Go path.Clean gives', () => {
  const cases: Array<[string, string]> = [
    ['', '.'], ['abc/', 'abc'], ['a//b', 'a/b'], ['./a/./b/', 'a/b'], ['/../x', '/x'], ['../../x', '../../x'],
    ['a/../..', '..'], ['./', '.'], ['/', '/'], ['a/b/../../../c', '../c'], ['//a', '/a'],
  ];
  for (const [input, want] of cases) assert.equal(cleanPath(input), want, JSON.stringify(input));
});

test('joinPath skips empty elements and cleans, as Go path.Join', () => {
  assert.equal(joinPath('', 'PaxHeaders.0', 'x'), 'PaxHeaders.0/x');
  assert.equal(joinPath('a/b/', 'PaxHeaders.0', ''), 'a/b/PaxHeaders.0');
  assert.equal(joinPath('./', 'PaxHeaders.0', 'f'), 'PaxHeaders.0/f');
  assert.equal(joinPath('', ''), '');
});

test('splitPath keeps the slash on the folder part', () => {
  assert.deepEqual(splitPath('a/b'), { dir: 'a/', file: 'b' });
  assert.deepEqual(splitPath('a/'), { dir: 'a/', file: '' });
  assert.deepEqual(splitPath('x'), { dir: '', file: 'x' });
});
