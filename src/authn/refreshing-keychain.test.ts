import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Anonymous, basic, type Keychain } from './authenticator.ts';
import { refreshingKeychain } from './refreshing-keychain.ts';

function counting(): { kc: Keychain; calls: () => number; fail: (on: boolean) => void } {
  let n = 0;
  let failing = false;
  return {
    kc: {
      async resolve() {
        if (failing) throw new Error('source down');
        n++;
        return basic('u', `pw${n}`);
      },
    },
    calls: () => n,
    fail: (on) => {
      failing = on;
    },
  };
}

test('credentials are re-resolved only after the ttl', async () => {
  let clock = 0;
  const inner = counting();
  const auth = await refreshingKeychain(inner.kc, 1000, { now: () => clock }).resolve({ registry: 'r' });
  assert.equal((await auth.authorization()).password, 'pw1');
  clock = 1000;
  assert.equal((await auth.authorization()).password, 'pw1');
  clock = 1001;
  assert.equal((await auth.authorization()).password, 'pw2');
  assert.equal(inner.calls(), 2);
});

test('a failed refresh is retried on the next use instead of serving stale credentials for a period', async () => {
  let clock = 0;
  const inner = counting();
  const auth = await refreshingKeychain(inner.kc, 10, { now: () => clock }).resolve({ registry: 'r' });
  clock = 50;
  inner.fail(true);
  await assert.rejects(auth.authorization(), /source down/);
  inner.fail(false);
  assert.equal((await auth.authorization()).password, 'pw2');
});

test('Anonymous is passed through unwrapped', async () => {
  const anon: Keychain = { resolve: async () => Anonymous };
  assert.equal(await refreshingKeychain(anon, 10).resolve({ registry: 'r' }), Anonymous);
  assert.throws(() => refreshingKeychain(anon, -1), /ttlMs must be >= 0/);
});
