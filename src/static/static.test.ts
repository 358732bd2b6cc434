import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as staticLayer from './index.ts';
import { Hash } from '../v1/hash.ts';

test('a static layer is its bytes: digest equals diffID, compressed equals uncompressed', async () => {
  const l = staticLayer.newLayer(Buffer.from('{"a":1}'), 'application/vnd.example+json');
  assert.ok((await l.digest()).equals(Hash.of('{"a":1}')));
  assert.ok((await l.diffID()).equals(await l.digest()));
  assert.equal(await l.size(), 7);
  assert.equal(await l.mediaType(), 'application/vnd.example+json');
  for (const open of [() => l.compressed(), () => l.uncompressed()]) {
    const chunks: Buffer[] = [];
    for await (const c of await open()) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), '{"a":1}');
  }
});
