import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasCode } from '../../errors/index.ts';
import { CATALOG_SCOPE, formatScope, parseScope, parseScopes } from './scope.ts';

test('a repository scope splits into type, name and actions', () => {
  assert.deepEqual(parseScope('repository:team/app:pull,push'), { type: 'repository', name: 'team/app', actions: ['pull', 'push'] });
});

test('a name holding a host with a port keeps its colon', () => {
  assert.deepEqual(parseScope('repository:localhost:5000/app:pull'), { type: 'repository', name: 'localhost:5000/app', actions: ['pull'] });
});

test('the catalog scope and a resource class parse', () => {
  assert.deepEqual(parseScope('registry:catalog:*'), CATALOG_SCOPE);
  assert.deepEqual(parseScope('repository(plugin):vieux/sshfs:pull'), { type: 'repository', class: 'plugin', name: 'vieux/sshfs', actions: ['pull'] });
});

test('repeated and empty actions collapse; no actions at all is allowed', () => {
  assert.deepEqual(parseScope('repository:a:pull,,pull,push').actions, ['pull', 'push']);
  assert.deepEqual(parseScope('repository:a:').actions, []);
});

test('malformed scopes are refused', () => {
  for (const bad of ['repository', 'repository:app', 'Repository:a:pull', 'repo(x:a:pull', 'repository::pull', ':a:pull']) {
    assert.throws(() => parseScope(bad), (err: Error) => hasCode(err, 'ERR_INVALID_ARGUMENT') && err.message.includes(JSON.stringify(bad)), bad);
  }
});

test('scope parameters may each hold several space-separated scopes', () => {
  const scopes = parseScopes(['repository:a:pull repository:b:push', '', 'registry:catalog:*']);
  assert.deepEqual(scopes.map((s) => s.name), ['a', 'b', 'catalog']);
});

test('formatScope writes what parseScope reads', () => {
  for (const text of ['repository:team/app:pull,push', 'repository(plugin):x/y:pull', 'registry:catalog:*', 'repository:localhost:5000/a:delete']) {
    assert.equal(formatScope(parseScope(text)), text);
  }
});
