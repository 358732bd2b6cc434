import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Anonymous } from './authenticator.ts';
import { newGithubKeychain } from './github.ts';

test('ghcr.io and docker.pkg.github.com get GITHUB_ACTOR / GITHUB_TOKEN', async () => {
  const kc = newGithubKeychain({ env: { GITHUB_ACTOR: 'octocat', GITHUB_TOKEN: 'tok' } });
  for (const registry of ['ghcr.io', 'docker.pkg.github.com']) {
    assert.deepEqual(await (await kc.resolve({ registry, repository: 'o/r' })).authorization(), { username: 'octocat', password: 'tok' });
  }
});

test('without GITHUB_ACTOR the username is "unset", as in ggcr', async () => {
  const auth = await newGithubKeychain({ env: { GITHUB_TOKEN: 'tok' } }).resolve({ registry: 'ghcr.io' });
  assert.deepEqual(await auth.authorization(), { username: 'unset', password: 'tok' });
});

test('no token, or another host, is Anonymous', async () => {
  assert.equal(await newGithubKeychain({ env: { GITHUB_ACTOR: 'a' } }).resolve({ registry: 'ghcr.io' }), Anonymous);
  const kc = newGithubKeychain({ env: { GITHUB_TOKEN: 'tok' } });
  for (const registry of ['gcr.io', 'ghcr.io.example.com', 'example.com']) assert.equal(await kc.resolve({ registry }), Anonymous, registry);
});
