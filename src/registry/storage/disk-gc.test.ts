// How much the disk collector reads: each tag once per collection, however many manifests go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blob, image, pushBlob } from './contract.test-fixtures.ts';
import { createDiskStorage } from './disk.ts';
import { spyFs } from './fs-spy.test-fixtures.ts';

test('disk gc reads each tag once, however many untagged manifests it removes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cr-disk-gc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const root = join(dir, 'root');
  const s = await createDiskStorage(root, { fsync: false });
  t.after(() => s.close());
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
