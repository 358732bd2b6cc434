import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Anonymous, basic, type Keychain } from './authenticator.ts';
import { multiKeychain } from './multi-keychain.ts';

const fixed = (auth: ReturnType<typeof basic> | typeof Anonymous, log?: string[], name = ''): Keychain => ({
  async resolve() {
    log?.push(name);
    return auth;
  },
});

test('the first keychain with credentials answers; later ones are not asked', async () => {
  const log: string[] = [];
  const a = basic('a', '1');
  const kc = multiKeychain(fixed(Anonymous, log, 'none'), fixed(a, log, 'a'), fixed(basic('b', '2'), log, 'b'));
  assert.equal(await kc.resolve({ registry: 'r' }), a);
  assert.deepEqual(log, ['none', 'a']);
});

test('no keychain with credentials, or none at all, is Anonymous', async () => {
  assert.equal(await multiKeychain(fixed(Anonymous), fixed(Anonymous)).resolve({ registry: 'r' }), Anonymous);
  assert.equal(await multiKeychain().resolve({ registry: 'r' }), Anonymous);
});

test('a keychain that fails stops the search, as in ggcr', async () => {
  const failing: Keychain = { resolve: async () => Promise.reject(new Error('broken source')) };
  await assert.rejects(multiKeychain(failing, fixed(basic('b', '2'))).resolve({ registry: 'r' }), /broken source/);
});
