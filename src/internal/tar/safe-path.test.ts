import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hasCode } from '../../errors/index.ts';
import type { TarHeader } from './header.ts';
import { checkEntryPath, classifyEntryPath, safeJoin, type UnsafePathReason } from './safe-path.ts';

const f = (name: string): TarHeader => ({ name, type: 'file' });
const sym = (name: string, linkname: string): TarHeader => ({ name, type: 'symlink', linkname });
const hard = (name: string, linkname: string): TarHeader => ({ name, type: 'link', linkname });

describe('classifyEntryPath', () => {
  const unsafe: Array<[TarHeader, UnsafePathReason]> = [
    [f('../x'), 'name-escapes-root'],
    [f('/etc/passwd'), 'absolute-name'],
    [f('a/../../x'), 'name-escapes-root'],
    [f('../root/x'), 'name-escapes-root'],
    [f(''), 'empty-name'],
    [sym('x', '../../etc'), 'link-escapes-root'],
    [sym('a/b/x', '../../../etc'), 'link-escapes-root'],
    [sym('a/', '../..'), 'link-escapes-root'],
    [hard('h', '../x'), 'link-escapes-root'],
    [hard('h', '/etc/shadow'), 'absolute-link'],
  ];
  for (const [header, reason] of unsafe) {
    test(`reports ${header.type} ${JSON.stringify(header.name)}${header.linkname ? ` -> ${header.linkname}` : ''} as ${reason}`, () => {
      const problem = classifyEntryPath(header);
      assert.equal(problem?.reason, reason);
      if (header.name !== '') assert.ok(problem?.message.includes(JSON.stringify(header.name)), problem?.message);
    });
  }

  const safe: TarHeader[] = [
    f('./a/../b'),
    f('a/b/c'),
    f('./'),
    { name: 'dir/', type: 'directory' },
    sym('a/b/x', '../../etc'), // resolves to etc, inside the root
    sym('usr/bin/sh', '/bin/busybox'), // absolute: resolved inside the root by a runtime
    hard('a/h', 'a/target'),
    { name: '', type: 'pax-global', pax: {} },
  ];
  for (const header of safe) {
    test(`accepts ${header.type} ${JSON.stringify(header.name)}${header.linkname ? ` -> ${header.linkname}` : ''}`, () => {
      assert.equal(classifyEntryPath(header), undefined);
    });
  }

  test('reports absolute symlink targets when asked to', () => {
    assert.equal(classifyEntryPath(sym('bin', '/usr/bin'), { allowAbsoluteSymlinks: false })?.reason, 'absolute-link');
    assert.equal(classifyEntryPath(sym('bin', 'usr/bin'), { allowAbsoluteSymlinks: false }), undefined);
  });
});

describe('checkEntryPath and safeJoin', () => {
  test('checkEntryPath throws UnsafePathError naming the entry', () => {
    assert.throws(
      () => checkEntryPath(sym('x', '../../etc')),
      (err: Error & { entry?: string }) => {
        assert.ok(hasCode(err, 'ERR_UNSAFE_PATH'));
        assert.equal(err.entry, 'x');
        assert.match(err.message, /"x" is a symlink to "..\/..\/etc", outside the root/);
        return true;
      },
    );
    assert.doesNotThrow(() => checkEntryPath(f('./a/../b')));
  });

  test('safeJoin joins safe names under the root and refuses the others', () => {
    assert.equal(safeJoin('/tmp/root', './a/../b'), '/tmp/root/b');
    assert.equal(safeJoin('/tmp/root', 'etc/hosts'), '/tmp/root/etc/hosts');
    assert.throws(() => safeJoin('/tmp/root', '../x'), { code: 'ERR_UNSAFE_PATH', entry: '../x' });
    assert.throws(() => safeJoin('/tmp/root', '/etc/passwd'), { code: 'ERR_UNSAFE_PATH' });
  });
});
