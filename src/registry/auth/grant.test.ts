import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAuthConfig } from './access.ts';
import { grantAccess } from './grant.ts';
import { parseScopes } from './scope.ts';

const config = await parseAuthConfig(
  {
    users: {},
    access: [
      { account: 'alice', repository: 'team/*', actions: ['pull', 'push'] },
      { account: 'anonymous', repository: 'public/*', actions: ['pull'] },
      { account: 'admin', repository: '**', actions: ['*'] },
      { account: 'admin', catalog: true },
    ],
  },
  '/',
);

const grant = (account: string | undefined, ...scopes: string[]): unknown => grantAccess(config, account, parseScopes(scopes));

test('the grant is the requested actions that are allowed, never more', () => {
  assert.deepEqual(grant('alice', 'repository:team/app:push,pull,delete'), [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }]);
  assert.deepEqual(grant('alice', 'repository:team/app:pull'), [{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
});

test('a resource with nothing allowed is listed with no actions, not refused', () => {
  assert.deepEqual(grant(undefined, 'repository:team/app:pull', 'repository:public/x:pull,push'), [
    { type: 'repository', name: 'team/app', actions: [] },
    { type: 'repository', name: 'public/x', actions: ['pull'] },
  ]);
});

test('scopes on one repository merge', () => {
  assert.deepEqual(grant('admin', 'repository:a:pull', 'repository:a:delete'), [{ type: 'repository', name: 'a', actions: ['pull', 'delete'] }]);
});

test('* asks for every action and is granted as the allowed list', () => {
  assert.deepEqual(grant('alice', 'repository:team/app:*'), [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }]);
});

test('the catalog is granted as * only with a catalog rule; unknown types get nothing', () => {
  assert.deepEqual(grant('admin', 'registry:catalog:*'), [{ type: 'registry', name: 'catalog', actions: ['*'] }]);
  assert.deepEqual(grant('alice', 'registry:catalog:*'), [{ type: 'registry', name: 'catalog', actions: [] }]);
  assert.deepEqual(grant('admin', 'registry:catalog:pull'), [{ type: 'registry', name: 'catalog', actions: [] }]);
  assert.deepEqual(grant('admin', 'namespace:team:pull'), [{ type: 'namespace', name: 'team', actions: [] }]);
});

test('a resource class is kept in the claim and authorised by name', () => {
  assert.deepEqual(grant('alice', 'repository(plugin):team/p:pull'), [{ type: 'repository', class: 'plugin', name: 'team/p', actions: ['pull'] }]);
});
