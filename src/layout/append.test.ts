import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Hash } from '../v1/hash.ts';
import * as random from '../random/index.ts';
import * as match from '../match/index.ts';
import * as validate from '../validate/index.ts';
import { empty } from '../index.ts';
import { write } from './index.ts';
import { listFiles, tempFolder } from './layout.test-fixtures.ts';

const REF = 'org.opencontainers.image.ref.name';
const names = async (lp: Awaited<ReturnType<typeof write>>) =>
  (await (await lp.imageIndex()).indexManifest()).manifests.map((d) => d.annotations?.[REF] ?? '');

test('append, replace and remove entries by matcher', async () => {
  const { dir, cleanup } = await tempFolder('entries');
  try {
    const lp = await write(dir, empty.index());
    const a = random.image(128, 1, { seed: 'a' });
    const b = random.image(128, 1, { seed: 'b' });
    const c = random.image(128, 1, { seed: 'c' });
    await lp.appendImage(a, { annotations: { [REF]: 'a' } });
    await lp.appendImage(b, { annotations: { [REF]: 'b' } });
    await lp.appendIndex(random.index(128, 1, 2, { seed: 'i' }), { annotations: { [REF]: 'idx' } });
    assert.deepEqual(await names(lp), ['a', 'b', 'idx']);

    await lp.replaceImage(c, match.name('a'), { annotations: { [REF]: 'a' } });
    assert.deepEqual(await names(lp), ['b', 'idx', 'a']);
    const entries = (await (await lp.imageIndex()).indexManifest()).manifests;
    assert.ok(entries[2]!.digest.equals(await c.digest()), 'the entry named a is now image c');

    // Replacing what matches nothing appends.
    await lp.replaceIndex(random.index(64, 1, 1, { seed: 'j' }), match.name('nothing'), { annotations: { [REF]: 'j' } });
    assert.deepEqual(await names(lp), ['b', 'idx', 'a', 'j']);

    await lp.removeDescriptors(match.any(match.name('b'), match.name('j')));
    assert.deepEqual(await names(lp), ['idx', 'a']);
    await validate.index(await lp.imageIndex());
  } finally {
    await cleanup();
  }
});

test('concurrent appends in one process keep every entry', async () => {
  const { dir, cleanup } = await tempFolder('concurrent');
  try {
    const lp = await write(dir, empty.index());
    const images = Array.from({ length: 8 }, (_, i) => random.image(64, 1, { seed: `c${i}` }));
    await Promise.all(images.map((img, i) => lp.appendImage(img, { annotations: { [REF]: `t${i}` } })));
    const got = (await names(lp)).sort();
    assert.deepEqual(got, images.map((_, i) => `t${i}`).sort());
  } finally {
    await cleanup();
  }
});

test('garbageCollect lists unreferenced blobs, deletes them unless dryRun, keeps shared ones', async () => {
  const { dir, cleanup } = await tempFolder('gc');
  try {
    const lp = await write(dir, empty.index());
    const keep = random.image(128, 2, { seed: 'keep' });
    const drop = random.image(128, 2, { seed: 'drop' });
    const inner = random.index(64, 1, 2, { seed: 'inner' });
    await lp.appendImage(keep, { annotations: { [REF]: 'keep' } });
    await lp.appendImage(drop, { annotations: { [REF]: 'drop' } });
    await lp.appendIndex(inner, { annotations: { [REF]: 'inner' } });
    // The same image again under another name: removing one entry must not free its blobs.
    await lp.appendImage(keep, { annotations: { [REF]: 'keep-too' } });
    await lp.removeDescriptors(match.name('drop'));
    await lp.removeDescriptors(match.name('keep'));
    assert.equal(await lp.garbageCollect({ dryRun: true }).then((x) => x.length), 4);

    const blobsOfDrop = [await drop.digest(), await drop.configName(), ...(await Promise.all((await drop.layers()).map((l) => l.digest())))]
      .map(String)
      .sort();
    const dry = await lp.garbageCollect({ dryRun: true });
    assert.deepEqual(dry.map(String), blobsOfDrop);
    assert.equal((await listFiles(join(dir, 'blobs'))).length, 4 + 4 + 1 + 2 * 3, 'dry run deletes nothing');

    const removed = await lp.garbageCollect();
    assert.deepEqual(removed.map(String), blobsOfDrop);
    assert.equal((await listFiles(join(dir, 'blobs'))).length, 4 + 1 + 2 * 3);
    assert.deepEqual(await lp.garbageCollect(), []);
    await validate.index(await lp.imageIndex());
  } finally {
    await cleanup();
  }
});

test('garbageCollect keeps children of unknown media types and what they name', async () => {
  const { dir, cleanup } = await tempFolder('gc-unknown');
  try {
    const lp = await write(dir, empty.index());
    const leaf = Buffer.from('artifact payload');
    await lp.writeBlob(Hash.of(leaf), Readable.from([leaf]));
    const doc = Buffer.from(JSON.stringify({ schemaVersion: 2, blobs: [{ mediaType: 'text/plain', size: leaf.length, digest: String(Hash.of(leaf)) }] }));
    await lp.writeBlob(Hash.of(doc), Readable.from([doc]));
    const stray = Buffer.from('nobody names me');
    await lp.writeBlob(Hash.of(stray), Readable.from([stray]));
    await lp.appendDescriptor({ mediaType: 'application/vnd.example.artifact.v1+json', size: doc.length, digest: Hash.of(doc) });
    assert.deepEqual((await lp.garbageCollect()).map(String), [String(Hash.of(stray))]);
  } finally {
    await cleanup();
  }
});

test('a collection waits for appends in flight and never takes their blobs', async () => {
  const { dir, cleanup } = await tempFolder('gc-race');
  try {
    const lp = await write(dir, empty.index());
    const img = random.image(4096, 3, { seed: 'race' });
    const appending = lp.appendImage(img, { annotations: { [REF]: 'race' } });
    // Collect only once the append has put a blob on disk that index.json does not name yet.
    const blobs = () => listFiles(join(dir, 'blobs')).catch(() => []);
    for (let i = 0; i < 500 && (await blobs()).filter((f) => !f.includes('.tmp-')).length === 0; i++) await new Promise((r) => setTimeout(r, 2));
    assert.ok((await names(lp)).length === 0, 'the append has not reached index.json yet');
    const collected = await lp.garbageCollect();
    await appending;
    assert.deepEqual(collected, []);
    await validate.image(await lp.image());
  } finally {
    await cleanup();
  }
});
