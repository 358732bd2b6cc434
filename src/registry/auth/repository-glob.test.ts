import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../errors/index.ts';
import { repositoryGlob } from './repository-glob.ts';

function check(pattern: string, yes: string[], no: string[]): void {
  const glob = repositoryGlob(pattern);
  for (const name of yes) assert.equal(glob.test(name), true, `${pattern} should match ${name}`);
  for (const name of no) assert.equal(glob.test(name), false, `${pattern} should not match ${name}`);
}

test('a literal pattern matches only that repository', () => {
  check('team/app', ['team/app'], ['team/app2', 'team', 'team/app/x', 'xteam/app', 'teamxapp']);
});

test('"." and "-" are literal, not regular-expression syntax', () => {
  check('a.b-c', ['a.b-c'], ['axb-c', 'a.bbc']);
});

test('* stays inside one path component and may match nothing', () => {
  check('team/*', ['team/app', 'team/a'], ['team', 'team/a/b', 'other/app']);
  check('team-*', ['team-', 'team-a', 'team-abc'], ['team', 'team-a/b']);
  check('*/app', ['x/app', 'team/app'], ['app', 'a/b/app']);
  check('*', ['app', 'library'], ['a/b']);
  check('a*b*c', ['abc', 'axxbyyc'], ['ab', 'a/b/c']);
});

test('a trailing ** matches one or more components, but not the prefix itself', () => {
  check('team/**', ['team/a', 'team/a/b', 'team/a/b/c'], ['team', 'teams/a', 'other/team/a']);
  check('**', ['a', 'a/b', 'a/b/c/d'], []);
});

test('a leading or inner ** matches zero or more components', () => {
  check('**/cache', ['cache', 'a/cache', 'a/b/cache'], ['cache/a', 'acache', 'a/xcache']);
  check('a/**/b', ['a/b', 'a/x/b', 'a/x/y/b'], ['a', 'b', 'a/xb', 'a/x/b/c']);
  check('**/team/*', ['team/app', 'x/team/app'], ['team', 'team/a/b']);
});

test('bad patterns are refused with the place of the rule', () => {
  for (const bad of ['', 'Team/*', 'team//app', '/team', 'team/', 'team/**x', 'a**', 'team/app?', 'team:1']) {
    assert.throws(
      () => repositoryGlob(bad, 'access[2].repository'),
      (err: Error) => hasCode(err, 'ERR_BAD_DOCUMENT') && err.message.startsWith('access[2].repository: '),
      `pattern ${JSON.stringify(bad)}`,
    );
  }
});
