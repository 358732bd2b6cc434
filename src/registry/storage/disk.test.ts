import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Hash } from '../../v1/hash.ts';
import { storageContract } from './contract.test-suite.ts';
import { blob, chunks, image, pushBlob, readAll } from './contract.test-fixtures.ts';
import { createDiskStorage } from './disk.ts';
import { tempRoot } from './disk.test-fixtures.ts';

storageContract('disk', async (t) => {
  const storage = await createDiskStorage(await tempRoot(t), { fsync: false });
  t.after(() => storage.close());
  return storage;
});

test('disk: the files are where the layout says, with the content it says, and no temp file is left', async (t) => {
  const root = await tempRoot(t);
  const s = await createDiskStorage(root);
  const config = await pushBlob(s, 'lib/app', Buffer.from('{}'));
  const m = image(config, []);
  const sig = image(config, [], { artifactType: 'application/example.sig' }, m);
  await s.putManifest('lib/app', m, { tag: 'v1' });
  await s.putManifest('lib/app', sig, { subject: m.digest });
  const up = await s.createUpload('lib/app');
  await s.appendUpload('lib/app', up.id, chunks(Buffer.from('partial')));

  const repo = join(root, 'repositories', 'lib', 'app');
  const { hex } = config.digest;
  assert.equal(await readFile(join(root, 'blobs', 'sha256', hex.slice(0, 2), hex), 'utf8'), '{}');
  assert.deepEqual(await readFile(join(root, 'blobs', 'sha256', m.digest.hex.slice(0, 2), m.digest.hex)), m.bytes);
  assert.equal(await readFile(join(repo, '_layers', 'sha256', hex), 'utf8'), config.digest.toString());
  assert.equal(await readFile(join(repo, '_manifests', 'tags', 'v1'), 'utf8'), m.digest.toString());
  const revision = JSON.parse(await readFile(join(repo, '_manifests', 'revisions', 'sha256', m.digest.hex), 'utf8'));
  assert.deepEqual(revision, { digest: m.digest.toString(), mediaType: m.mediaType });
  const entry = JSON.parse(await readFile(join(repo, '_referrers', 'sha256', m.digest.hex, `sha256-${sig.digest.hex}.json`), 'utf8'));
  assert.equal(entry.digest, sig.digest.toString());
  assert.equal(entry.artifactType, 'application/example.sig');
  assert.equal(await readFile(join(repo, '_uploads', up.id, 'data'), 'utf8'), 'partial');
  assert.ok(!Number.isNaN(new Date(await readFile(join(repo, '_uploads', up.id, 'startedat'), 'utf8')).getTime()));
  assert.deepEqual(await readdir(join(root, 'tmp')), []);
  // The completed upload's directory went with it.
  assert.deepEqual(await readdir(join(repo, '_uploads')), [up.id]);
  await s.close();
});

test('disk: everything survives a re-open, and an upload resumes with its hash rebuilt from the file', async (t) => {
  const root = await tempRoot(t);
  const data = blob('persistent ', 3000);
  const first = await createDiskStorage(root, { fsync: false });
  const config = await pushBlob(first, 'r', Buffer.from('{"os":"linux"}'));
  const m = image(config, []);
  await first.putManifest('r', m, { tag: 'latest' });
  const up = await first.createUpload('r');
  await first.appendUpload('r', up.id, chunks(data.subarray(0, 20_000)));
  const bad = await first.createUpload('r');
  await first.appendUpload('r', bad.id, chunks(data.subarray(0, 100)));
  await first.close();

  const second = await createDiskStorage(root, { fsync: false });
  assert.deepEqual(await second.getManifest('r', 'latest'), m);
  assert.deepEqual(await second.listTags('r'), ['latest']);
  assert.deepEqual(await second.statBlob('r', config.digest), config);
  const resumed = await second.getUpload('r', up.id);
  assert.equal(resumed?.size, 20_000);
  assert.equal(resumed?.startedAt.getTime(), up.startedAt.getTime());
  await assert.rejects(second.appendUpload('r', up.id, chunks(Buffer.from('x')), { offset: 19_999 }), /is at byte 20000/);
  await second.appendUpload('r', up.id, chunks(data.subarray(20_000)), { offset: 20_000 });
  assert.deepEqual(await second.completeUpload('r', up.id, Hash.of(data)), { digest: Hash.of(data), size: data.length });
  assert.deepEqual(await readAll(await second.openBlob('r', Hash.of(data))), data);
  // No running hash survived for this one either: completing re-hashes the file, and still checks.
  await assert.rejects(second.completeUpload('r', bad.id, Hash.of(data)), /has digest sha256:/);
  await second.close();
});

test('disk: a chunk streams to the file as it arrives, and reads come in 256 KiB pieces', async (t) => {
  const root = await tempRoot(t);
  const s = await createDiskStorage(root, { fsync: false });
  const up = await s.createUpload('r');
  const part = Buffer.alloc(2 * 1024 * 1024, 7);
  const dataFile = join(root, 'repositories', 'r', '_uploads', up.id, 'data');
  // The second half is produced only once the first is on disk: a backend holding the chunk in
  // memory until its end would never see it, and the source gives up.
  const body = Readable.from(
    (async function* () {
      yield part;
      for (let waited = 0; (await stat(dataFile)).size < part.length; waited += 10) {
        if (waited > 3000) throw new Error('the first half never reached the data file');
        await sleep(10);
      }
      yield part;
    })(),
    { objectMode: false },
  );
  assert.equal((await s.appendUpload('r', up.id, body)).size, 2 * part.length);
  const all = Buffer.concat([part, part]);
  await s.completeUpload('r', up.id, Hash.of(all));
  const stream = await s.openBlob('r', Hash.of(all));
  assert.equal(stream?.readableHighWaterMark, 256 * 1024);
  assert.equal((await readAll(stream)).length, all.length);
});

test('disk: opening removes temp files a crash left long ago, not fresh ones', async (t) => {
  const root = await tempRoot(t);
  await mkdir(join(root, 'tmp'), { recursive: true });
  await writeFile(join(root, 'tmp', 'file-old'), 'x');
  await writeFile(join(root, 'tmp', 'file-new'), 'y');
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  await utimes(join(root, 'tmp', 'file-old'), twoHoursAgo, twoHoursAgo);
  const s = await createDiskStorage(root, { fsync: false });
  assert.deepEqual(await readdir(join(root, 'tmp')), ['file-new']);
  await s.close();
});

test('disk: hostile names touch nothing outside the root', async (t) => {
  const root = await tempRoot(t);
  const parent = join(root, '..');
  const s = await createDiskStorage(root, { fsync: false });
  const before = (await readdir(parent)).sort();
  for (const r of ['../escape', '../../escape', 'a/../../escape']) {
    await assert.rejects(s.createUpload(r));
    await assert.rejects(s.putManifest(r, image({ digest: Hash.of('x'), size: 1 }, []), { tag: 'x' }));
  }
  assert.deepEqual((await readdir(parent)).sort(), before);
  assert.deepEqual(await readdir(join(root, 'repositories')), []);
});

test('disk: bytes past what an upload accepted (a chunk whose cut-off failed) are cut before the next chunk', async (t) => {
  const root = await tempRoot(t);
  const s = await createDiskStorage(root, { fsync: false });
  const up = await s.createUpload('r');
  await s.appendUpload('r', up.id, chunks(Buffer.from('accepted ')));
  await appendFile(join(root, 'repositories', 'r', '_uploads', up.id, 'data'), 'half-written chunk');
  assert.equal((await s.getUpload('r', up.id))?.size, 9);
  await s.appendUpload('r', up.id, chunks(Buffer.from('next')), { offset: 9 });
  assert.deepEqual(await s.completeUpload('r', up.id, Hash.of('accepted next')), { digest: Hash.of('accepted next'), size: 13 });
});
