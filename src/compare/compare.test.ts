import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as compare from './index.ts';
import * as random from '../random/index.ts';
import { ValidationError } from '../errors/index.ts';

test('identical views compare equal; different ones list what differs', async () => {
  const a = random.image(500, 2, { seed: 1 });
  await compare.images(a, random.image(500, 2, { seed: 1 }));
  await assert.rejects(compare.images(a, random.image(500, 2, { seed: 2 })), (e: unknown) => {
    assert.ok(e instanceof ValidationError);
    assert.ok(e.problems.some((p) => p.startsWith('digest: ')));
    assert.ok(e.problems.some((p) => p.startsWith('layer[0] diffID: ')));
    return true;
  });
  await assert.rejects(compare.images(a, random.image(500, 3, { seed: 1 })), /layers: 2 != 3/);
  const [l0] = await a.layers();
  await compare.layers(l0!, l0!);
  await compare.indexes(random.index(10, 1, 2, { seed: 3 }), random.index(10, 1, 2, { seed: 3 }));
  await assert.rejects(compare.indexes(random.index(10, 1, 2, { seed: 3 }), random.index(10, 1, 2, { seed: 4 })), /rawManifest: bytes differ/);
});
