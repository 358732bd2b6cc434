/**
 * @module The garbage-collection part of the storage contract tests (see `contract.test-suite.ts`).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError } from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';
import { blob, chunks, image, index, pushBlob } from './contract.test-fixtures.ts';
import type { RegistryStorage, StoredManifest } from './types.ts';

type MakeStorage = (t: TestContext) => Promise<RegistryStorage>;

const sorted = (xs: readonly string[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** Registers the gc tests for one backend. */
export function contractGcTests(name: string, make: MakeStorage): void {
  test(`${name}: gc sweeps unreferenced blobs (dry run first), and with untagged, unreachable manifests`, async (t) => {
    const s = await make(t);
    const config = await pushBlob(s, 'app', Buffer.from('{"architecture":"arm64"}'));
    const [l1, l2, l3, l4] = await Promise.all(['tagged', 'untagged', 'child', 'referrer'].map((x) => pushBlob(s, 'app', blob(x, 100))));
    const orphan = await pushBlob(s, 'app', blob('orphan', 10));
    const elsewhere = await pushBlob(s, 'other', blob('only in other', 10));
    assert.equal(await s.linkBlob('other', l2!.digest), true);

    const tagged = image(config, [l1!]);
    const untagged = image(config, [l2!]);
    const child = image(config, [l3!]);
    const multi = index([child]);
    const signature = image(config, [l4!], { artifactType: 'application/example.sig' }, tagged);
    const strayReferrer = image(config, [], { artifactType: 'application/example.sig' }, untagged);
    await s.putManifest('app', tagged, { tag: 'v1' });
    await s.putManifest('app', untagged);
    await s.putManifest('app', child);
    await s.putManifest('app', multi, { tag: 'multi' });
    await s.putManifest('app', signature, { subject: tagged.digest });
    await s.putManifest('app', strayReferrer, { subject: untagged.digest });
    const all = [tagged, untagged, child, multi, signature, strayReferrer];

    const plain = { blobs: sorted([orphan.digest.toString(), elsewhere.digest.toString()]), manifests: [], uploads: [], bytes: orphan.size + elsewhere.size };
    assert.deepEqual(await s.gc({ dryRun: true }), plain);
    assert.deepEqual(await s.statBlob('app', orphan.digest), orphan);
    assert.deepEqual(await s.gc(), plain);
    assert.equal(await s.statBlob('app', orphan.digest), undefined);
    assert.equal(await s.statBlob('other', elsewhere.digest), undefined);
    assert.equal(await s.linkBlob('app', orphan.digest), false);
    for (const m of all) assert.deepEqual(await s.getManifest('app', m.digest.toString()), m);
    assert.deepEqual(await s.gc(), { blobs: [], manifests: [], uploads: [], bytes: 0 });

    const goners: StoredManifest[] = [untagged, strayReferrer];
    const expected = {
      blobs: sorted([l2!.digest.toString(), ...goners.map((m) => m.digest.toString())]),
      manifests: sorted(goners.map((m) => `app@${m.digest}`)),
      uploads: [],
      bytes: l2!.size + untagged.bytes.length + strayReferrer.bytes.length,
    };
    assert.deepEqual(await s.gc({ dryRun: true, untagged: true }), expected);
    assert.deepEqual(await s.getManifest('app', untagged.digest.toString()), untagged);
    assert.deepEqual(await s.gc({ untagged: true }), expected);

    for (const m of goners) assert.equal(await s.getManifest('app', m.digest.toString()), undefined);
    assert.deepEqual(await s.listReferrers('app', untagged.digest), []);
    assert.equal(await s.statBlob('app', l2!.digest), undefined);
    assert.equal(await s.statBlob('other', l2!.digest), undefined);
    for (const m of [tagged, child, multi, signature]) assert.deepEqual(await s.getManifest('app', m.digest.toString()), m);
    for (const b of [config, l1!, l3!, l4!]) assert.deepEqual(await s.statBlob('app', b.digest), b);
    assert.deepEqual((await s.listReferrers('app', tagged.digest)).map((d) => d.digest.toString()), [signature.digest.toString()]);
    assert.deepEqual(await s.listTags('app'), ['multi', 'v1']);
  });

  test(`${name}: gc removes uploads older than asked, and only then`, async (t) => {
    const s = await make(t);
    const up = await s.createUpload('r');
    await s.appendUpload('r', up.id, chunks(Buffer.from('0123456789')));
    assert.deepEqual((await s.gc({ uploadsOlderThanMs: 60_000 })).uploads, []);
    await assert.rejects(s.gc({ uploadsOlderThanMs: -1 }), InvalidArgumentError);
    await assert.rejects(s.gc({ uploadsOlderThanMs: Number.NaN }), InvalidArgumentError);
    await sleep(20);
    assert.deepEqual(await s.gc(), { blobs: [], manifests: [], uploads: [], bytes: 0 });
    const report = { blobs: [], manifests: [], uploads: [`r/_uploads/${up.id}`], bytes: 10 };
    assert.deepEqual(await s.gc({ uploadsOlderThanMs: 10, dryRun: true }), report);
    assert.equal((await s.getUpload('r', up.id))?.size, 10);
    assert.deepEqual(await s.gc({ uploadsOlderThanMs: 10 }), report);
    assert.equal(await s.getUpload('r', up.id), undefined);
    const fresh = await s.createUpload('r');
    assert.deepEqual((await s.gc({ uploadsOlderThanMs: 60_000 })).uploads, []);
    await s.appendUpload('r', fresh.id, chunks(Buffer.from('ok')));
    assert.equal((await s.completeUpload('r', fresh.id, Hash.of('ok'))).size, 2);
  });
}
