import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPeer, which } from './peers.ts';

test('which finds a binary that is always there and not one that is not', () => {
  assert.equal(which('node') !== undefined || which('sh') !== undefined, true);
  assert.equal(which('no-such-binary-containerregistry'), undefined);
});

test('findPeer fails under REQUIRE_PEERS=1 and names the package', (t) => {
  const saved = process.env['REQUIRE_PEERS'];
  process.env['REQUIRE_PEERS'] = '1';
  try {
    assert.throws(() => findPeer(t, 'no-such-binary-containerregistry'), /REQUIRE_PEERS=1/);
  } finally {
    if (saved === undefined) delete process.env['REQUIRE_PEERS'];
    else process.env['REQUIRE_PEERS'] = saved;
  }
});

test('findPeer returns the path of a present peer', (t) => {
  const sh = findPeer(t, 'sh');
  assert.ok(sh?.endsWith('/sh'));
});
