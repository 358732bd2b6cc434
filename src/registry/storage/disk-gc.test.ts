// How much the disk collector reads: each tag once per collection, however many manifests go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join, sep } from 'node:path';
import { blob, image, pushBlob } from './contract.test-fixtures.ts';
import { tempDiskStorage } from './disk.test-fixtures.ts';
import { spyFs } from './fs-spy.test-fixtures.ts';

test('disk gc reads each tag once, however many untagged manifests it removes', async (t) => {
  const { root, storage: s } = await tempDiskStorage(t);
  const config = await pushBlob(s, 'app', Buffer.from('{}'));
  const layers = [];
  for (let i = 0; i < 6; i++) layers.push(await pushBlob(s, 'app', blob(`layer ${i}`, 10)));
  const tags = ['v1', 'v2', 'latest'];
  for (const [i, tag] of tags.entries()) await s.putManifest('app', image(config, [layers[i]!]), { tag });
  // Tagged once and moved on: the earlier ones are untagged now.
  for (let i = 3; i < 6; i++) await s.putManifest('app', image(config, [layers[i]!]), { tag: 'moving' });
  tags.push('moving');

  const fs = spyFs(t, ['readFile']);
  const report = await s.gc({ untagged: true });
  assert.equal(report.manifests.length, 2);
  assert.deepEqual(await s.listTags('app'), [...tags].sort());
  const tagDir = join(root, 'repositories', 'app', '_manifests', 'tags');
  for (const tag of tags) assert.equal(fs.count('readFile', join(tagDir, tag)), 1, `reads of tag ${tag}`);
});

test('disk gc: a tag made for a planned manifest while gc runs never ends up naming nothing', async (t) => {
  const { storage: s } = await tempDiskStorage(t);
  const config = await pushBlob(s, 'app', Buffer.from('{}'));
  const kept = image(config, [await pushBlob(s, 'app', blob('kept', 10))]);
  const loose = image(config, [await pushBlob(s, 'app', blob('loose', 10))]);
  await s.putManifest('app', kept, { tag: 'v1' });
  await s.putManifest('app', loose);
  // gc stats the blobs after it has read every tag and planned: a client tags the untagged
  // manifest right then.
  let armed = true;
  const realStat = fsp.stat;
  t.mock.method(fsp, 'stat', async (...args: Parameters<typeof fsp.stat>) => {
    if (armed && String(args[0]).includes(`${sep}blobs${sep}`)) {
      armed = false;
      await s.putManifest('app', loose, { tag: 'new' });
    }
    return realStat(...args);
  });
  syncBuiltinESMExports();
  t.after(() => syncBuiltinESMExports());
  await s.gc({ untagged: true });
  assert.equal(armed, false, 'the tag was made during the collection');
  for (const tag of (await s.listTags('app')) ?? []) {
    assert.ok(await s.getManifest('app', tag), `tag ${tag} names a manifest that exists`);
  }
  assert.ok(await s.getManifest('app', 'v1'));
});
