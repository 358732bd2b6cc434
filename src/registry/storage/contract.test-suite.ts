/**
 * @module The contract tests every `RegistryStorage` backend must pass: `storageContract(name,
 * make)` registers them for one backend. Called from `memory.test.ts` and `disk.test.ts`; this file
 * is not a test file itself (its name does not end in `.test.ts`).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DigestMismatchError,
  InvalidArgumentError,
  SizeMismatchError,
  UploadNotFoundError,
  UploadOffsetError,
} from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';
import { contractGcTests } from './contract-gc.test-suite.ts';
import { blob, chunks, failingAfter, image, pushBlob, readAll, slowly } from './contract.test-fixtures.ts';
import type { RegistryStorage } from './types.ts';

/** Makes a fresh, empty storage for one test (registering its cleanup on `t`). */
export type MakeStorage = (t: TestContext) => Promise<RegistryStorage>;

/** Registers the contract tests for one backend. */
export function storageContract(name: string, make: MakeStorage): void {
  test(`${name}: an upload in two chunks becomes a blob, readable whole and by range`, async (t) => {
    const s = await make(t);
    const data = blob('hello, registry storage', 1000);
    const up = await s.createUpload('library/app');
    assert.equal(up.size, 0);
    assert.equal(up.repository, 'library/app');
    assert.ok(Date.now() - up.startedAt.getTime() < 60_000);
    assert.equal((await s.appendUpload('library/app', up.id, chunks(data.subarray(0, 5000), 700), { offset: 0 })).size, 5000);
    assert.equal((await s.getUpload('library/app', up.id))?.size, 5000);
    const last = data.subarray(5000);
    assert.equal((await s.appendUpload('library/app', up.id, chunks(last), { offset: 5000, length: last.length })).size, data.length);
    const digest = Hash.of(data);
    assert.deepEqual(await s.completeUpload('library/app', up.id, digest), { digest, size: data.length });
    assert.deepEqual(await s.statBlob('library/app', digest), { digest, size: data.length });
    assert.deepEqual(await readAll(await s.openBlob('library/app', digest)), data);
    assert.deepEqual(await readAll(await s.openBlob('library/app', digest, { start: 10, end: 19 })), data.subarray(10, 20));
    assert.deepEqual(await readAll(await s.openBlob('library/app', digest, { start: data.length - 1, end: data.length - 1 })), data.subarray(-1));
    await assert.rejects(s.openBlob('library/app', digest, { start: 5, end: data.length }), InvalidArgumentError);
    await assert.rejects(s.openBlob('library/app', digest, { start: 6, end: 5 }), InvalidArgumentError);
    // Given what statBlob answered, the same bytes and the same range checks.
    const stat = { digest, size: data.length };
    assert.deepEqual(await readAll(await s.openBlob('library/app', digest, undefined, { stat })), data);
    assert.deepEqual(await readAll(await s.openBlob('library/app', digest, { start: 10, end: 19 }, { stat })), data.subarray(10, 20));
    await assert.rejects(s.openBlob('library/app', digest, { start: 5, end: data.length }, { stat }), InvalidArgumentError);
    assert.equal(await s.getUpload('library/app', up.id), undefined);
    await assert.rejects(s.appendUpload('library/app', up.id, chunks(data)), UploadNotFoundError);
    await assert.rejects(s.completeUpload('library/app', up.id, digest), UploadNotFoundError);
  });

  test(`${name}: an empty blob and a sha512 blob complete`, async (t) => {
    const s = await make(t);
    const empty = await s.createUpload('r');
    const none = Hash.of(Buffer.alloc(0));
    assert.deepEqual(await s.completeUpload('r', empty.id, none), { digest: none, size: 0 });
    assert.deepEqual(await readAll(await s.openBlob('r', none)), Buffer.alloc(0));
    const data = blob('sha512 content', 300);
    const up = await s.createUpload('r');
    await s.appendUpload('r', up.id, chunks(data, 1000));
    const d512 = Hash.of(data, 'sha512');
    assert.deepEqual(await s.completeUpload('r', up.id, d512), { digest: d512, size: data.length });
    assert.deepEqual(await readAll(await s.openBlob('r', d512)), data);
  });

  test(`${name}: a blob is visible only where uploaded or mounted, and unlinking hides it there only`, async (t) => {
    const s = await make(t);
    const data = blob('visibility', 50);
    const { digest } = await pushBlob(s, 'team/a', data);
    assert.equal(await s.statBlob('team/b', digest), undefined);
    assert.equal(await s.openBlob('team/b', digest), undefined);
    // A stat of another blob vouches for nothing.
    const other = await pushBlob(s, 'team/b', blob('other', 5));
    assert.equal(await s.openBlob('team/b', digest, undefined, { stat: other }), undefined);
    assert.equal(await s.linkBlob('team/b', Hash.of('never uploaded')), false);
    assert.equal(await s.statBlob('team/b', Hash.of('never uploaded')), undefined);
    assert.equal(await s.linkBlob('team/b', digest), true);
    assert.equal(await s.linkBlob('team/b', digest), true);
    assert.deepEqual(await readAll(await s.openBlob('team/b', digest)), data);
    assert.equal(await s.unlinkBlob('team/b', digest), true);
    assert.equal(await s.unlinkBlob('team/b', digest), false);
    assert.equal(await s.statBlob('team/b', digest), undefined);
    assert.deepEqual(await s.statBlob('team/a', digest), { digest, size: data.length });
    assert.deepEqual(await s.listRepositories(), ['team/a', 'team/b']);
  });

  test(`${name}: a chunk at the wrong offset is refused and changes nothing`, async (t) => {
    const s = await make(t);
    const up = await s.createUpload('r');
    await s.appendUpload('r', up.id, chunks(Buffer.from('abc')));
    const bad = chunks(Buffer.from('xyz'));
    await assert.rejects(s.appendUpload('r', up.id, bad, { offset: 2 }), (err: unknown) => {
      assert.ok(err instanceof UploadOffsetError);
      assert.equal(err.expected, 3);
      assert.equal(err.actual, 2);
      return true;
    });
    assert.equal((await s.getUpload('r', up.id))?.size, 3);
    await s.appendUpload('r', up.id, chunks(Buffer.from('def')), { offset: 3 });
    assert.equal((await s.completeUpload('r', up.id, Hash.of('abcdef'))).size, 6);
  });

  test(`${name}: completing with the wrong digest discards the upload`, async (t) => {
    const s = await make(t);
    const up = await s.createUpload('r');
    await s.appendUpload('r', up.id, chunks(Buffer.from('real content')));
    const claimed = Hash.of('other content');
    await assert.rejects(s.completeUpload('r', up.id, claimed), (err: unknown) => {
      assert.ok(err instanceof DigestMismatchError);
      assert.equal(err.expected, claimed.toString());
      assert.equal(err.actual, Hash.of('real content').toString());
      return true;
    });
    assert.equal(await s.getUpload('r', up.id), undefined);
    assert.equal(await s.statBlob('r', claimed), undefined);
    assert.equal(await s.linkBlob('r', Hash.of('real content')), false);
  });

  test(`${name}: a failed, short, long or aborted chunk leaves the upload as it was, and it resumes`, async (t) => {
    const s = await make(t);
    const data = blob('resumable', 2000);
    const up = await s.createUpload('r');
    await s.appendUpload('r', up.id, chunks(data.subarray(0, 10_000), 4096));
    const rest = data.subarray(10_000);

    await assert.rejects(s.appendUpload('r', up.id, failingAfter(rest.subarray(0, 8000), new Error('client went away'))), /client went away/);
    assert.equal((await s.getUpload('r', up.id))?.size, 10_000);

    await assert.rejects(s.appendUpload('r', up.id, chunks(rest.subarray(0, 100)), { length: 101 }), (err: unknown) => {
      assert.ok(err instanceof SizeMismatchError);
      assert.equal(err.actual, 100);
      return true;
    });
    await assert.rejects(s.appendUpload('r', up.id, chunks(rest, 1000), { length: 2500 }), (err: unknown) => {
      assert.ok(err instanceof SizeMismatchError);
      assert.equal(err.expected, 2500);
      assert.equal(err.actual, 3000);
      return true;
    });
    assert.equal((await s.getUpload('r', up.id))?.size, 10_000);

    const controller = new AbortController();
    const reason = new Error('server shutting down');
    const pending = s.appendUpload('r', up.id, slowly([rest.subarray(0, 1000), rest.subarray(1000, 2000)], 200), { signal: controller.signal });
    await sleep(50);
    controller.abort(reason);
    await assert.rejects(pending, (err: unknown) => err === reason);
    assert.equal((await s.getUpload('r', up.id))?.size, 10_000);

    await s.appendUpload('r', up.id, chunks(rest, 3333), { offset: 10_000, length: rest.length });
    assert.deepEqual(await s.completeUpload('r', up.id, Hash.of(data)), { digest: Hash.of(data), size: data.length });
    assert.deepEqual(await readAll(await s.openBlob('r', Hash.of(data))), data);
  });

  test(`${name}: concurrent appends to one upload run one at a time, in order`, async (t) => {
    const s = await make(t);
    const a = blob('first chunk ', 500);
    const b = blob('second chunk ', 400);
    const up = await s.createUpload('r');
    const first = s.appendUpload('r', up.id, slowly([a.subarray(0, 3000), a.subarray(3000)], 30), { offset: 0 });
    // Issued while the first is still streaming: it must wait, then find the upload at a.length.
    const second = s.appendUpload('r', up.id, chunks(b), { offset: a.length });
    const third = s.appendUpload('r', up.id, chunks(a));
    assert.equal((await first).size, a.length);
    assert.equal((await second).size, a.length + b.length);
    assert.equal((await third).size, 2 * a.length + b.length);
    const all = Buffer.concat([a, b, a]);
    assert.equal((await s.completeUpload('r', up.id, Hash.of(all))).size, all.length);
  });

  test(`${name}: uploads belong to their repository and can be cancelled`, async (t) => {
    const s = await make(t);
    const up = await s.createUpload('one');
    await s.appendUpload('one', up.id, chunks(Buffer.from('data')));
    assert.equal(await s.getUpload('two', up.id), undefined);
    await assert.rejects(s.appendUpload('two', up.id, chunks(Buffer.from('x'))), UploadNotFoundError);
    await assert.rejects(s.completeUpload('two', up.id, Hash.of('data')), UploadNotFoundError);
    assert.equal(await s.cancelUpload('two', up.id), false);
    assert.equal(await s.cancelUpload('one', up.id), true);
    assert.equal(await s.cancelUpload('one', up.id), false);
    assert.equal(await s.getUpload('one', up.id), undefined);
    const other = await s.createUpload('one');
    assert.notEqual(other.id, up.id);
  });

  test(`${name}: manifests by tag and digest; a tag moves atomically; listings sort byte-wise`, async (t) => {
    const s = await make(t);
    const config = await pushBlob(s, 'app', Buffer.from('{"architecture":"amd64"}'));
    const layer = await pushBlob(s, 'app', blob('layer', 100));
    const m1 = image(config, [layer], { v: 1 });
    const m2 = image(config, [layer], { v: 2 });
    await s.putManifest('app', m1, { tag: 'latest' });
    assert.deepEqual(await s.getManifest('app', 'latest'), m1);
    assert.deepEqual(await s.getManifest('app', m1.digest.toString()), m1);
    await s.putManifest('app', m2, { tag: 'latest' });
    assert.deepEqual(await s.getManifest('app', 'latest'), m2);
    assert.deepEqual(await s.getManifest('app', m1.digest.toString()), m1);
    assert.equal(await s.getManifest('app', 'missing'), undefined);
    assert.equal(await s.getManifest('app', Hash.of('nothing').toString()), undefined);
    assert.equal(await s.getManifest('elsewhere', m1.digest.toString()), undefined);
    assert.equal(await s.hasManifest('app', m1.digest), true);
    assert.equal(await s.hasManifest('app', Hash.of('nothing')), false);
    assert.equal(await s.hasManifest('elsewhere', m1.digest), false);
    // A blob is not a manifest, even with a manifest's bytes.
    const loose = await pushBlob(s, 'app', image(config, [layer], { v: 3 }).bytes);
    assert.equal(await s.hasManifest('app', loose.digest), false);
    assert.equal(await s.hasManifest('app', config.digest), false);
    for (const tag of ['v1.0', 'B', 'a', '_under', '1', 'V-2', 'a.b']) await s.putManifest('app', m1, { tag });
    assert.deepEqual(await s.listTags('app'), ['1', 'B', 'V-2', '_under', 'a', 'a.b', 'latest', 'v1.0']);
    assert.equal(await s.listTags('nothing/here'), undefined);
    const forged = { ...m1, digest: m2.digest };
    await assert.rejects(s.putManifest('app', forged, { tag: 'forged' }), DigestMismatchError);
    assert.equal(await s.getManifest('app', 'forged'), undefined);
  });

  test(`${name}: a pushed manifest does not make blobs of other repositories visible in its own`, async (t) => {
    // Visibility comes from an upload or a mount only: those are where pull rights on the source
    // are checked. A manifest naming another repository's blob must not read it out of there.
    const s = await make(t);
    const config = await pushBlob(s, 'source', Buffer.from('{"os":"linux"}'));
    const layer = await pushBlob(s, 'source', blob('shared layer', 100));
    const m = image(config, [layer]);
    await s.putManifest('target', m, { tag: 'v1' });
    assert.equal(await s.statBlob('target', layer.digest), undefined);
    assert.equal(await s.statBlob('target', config.digest), undefined);
    assert.deepEqual(await s.statBlob('source', layer.digest), layer);
    assert.deepEqual(await s.listRepositories(), ['source', 'target']);
  });

  test(`${name}: deleting a tag keeps the manifest; deleting a manifest removes its tags and referrer entry`, async (t) => {
    const s = await make(t);
    const config = await pushBlob(s, 'r', Buffer.from('{}'));
    const m = image(config, []);
    const other = image(config, [], { other: true });
    await s.putManifest('r', m, { tag: 'a' });
    await s.putManifest('r', m, { tag: 'b' });
    await s.putManifest('r', other, { tag: 'c' });
    assert.equal(await s.deleteTag('r', 'a'), true);
    assert.equal(await s.deleteTag('r', 'a'), false);
    assert.equal(await s.deleteTag('nope', 'a'), false);
    assert.deepEqual(await s.getManifest('r', m.digest.toString()), m);
    const sig = image(config, [], { artifactType: 'application/example.sig' }, m);
    await s.putManifest('r', sig, { subject: m.digest });
    assert.equal((await s.listReferrers('r', m.digest)).length, 1);
    assert.equal(await s.deleteManifest('r', sig.digest), true);
    assert.deepEqual(await s.listReferrers('r', m.digest), []);
    assert.equal(await s.deleteManifest('r', m.digest), true);
    assert.equal(await s.deleteManifest('r', m.digest), false);
    assert.equal(await s.getManifest('r', 'b'), undefined);
    assert.equal(await s.getManifest('r', m.digest.toString()), undefined);
    assert.equal(await s.hasManifest('r', m.digest), false);
    assert.equal(await s.hasManifest('r', other.digest), true);
    assert.deepEqual(await s.listTags('r'), ['c']);
    assert.deepEqual(await s.getManifest('r', 'c'), other);
  });

  test(`${name}: referrers are listed per repository and subject, with their descriptors`, async (t) => {
    const s = await make(t);
    const config = await pushBlob(s, 'r', Buffer.from('{}'));
    const subject = image(config, []);
    await s.putManifest('r', subject, { tag: 'v1' });
    const sbom = image(config, [], { annotations: { 'org.example': 'sbom' } }, subject);
    const sig = image(config, [], { artifactType: 'application/example.sig' }, subject);
    const given = { mediaType: sig.mediaType, size: sig.bytes.length, digest: sig.digest, artifactType: 'application/example.sig', annotations: { a: 'b' } };
    await s.putManifest('r', sig, { subject: subject.digest, referrer: given });
    await s.putManifest('r', sbom, { subject: subject.digest });
    const listed = await s.listReferrers('r', subject.digest);
    const byDigest = [sig, sbom].sort((x, y) => (x.digest.toString() < y.digest.toString() ? -1 : 1)).map((x) => x.digest.toString());
    assert.deepEqual(listed.map((d) => d.digest.toString()), byDigest);
    const got = listed.find((d) => d.digest.equals(sig.digest));
    assert.equal(got?.artifactType, 'application/example.sig');
    assert.deepEqual(got?.annotations, { a: 'b' });
    assert.equal(got?.size, sig.bytes.length);
    const derived = listed.find((d) => d.digest.equals(sbom.digest));
    assert.equal(derived?.mediaType, sbom.mediaType);
    assert.equal(derived?.size, sbom.bytes.length);
    // No artifactType in the manifest: the config's media type stands in (distribution-spec).
    assert.equal(derived?.artifactType, 'application/vnd.oci.image.config.v1+json');
    assert.deepEqual(derived?.annotations, { 'org.example': 'sbom' });
    assert.deepEqual(await s.listReferrers('other', subject.digest), []);
    assert.deepEqual(await s.listReferrers('r', sig.digest), []);
  });

  test(`${name}: repositories nest and list sorted`, async (t) => {
    const s = await make(t);
    for (const repo of ['b', 'a/b/c', 'a', 'a-b', 'a/b']) await pushBlob(s, repo, Buffer.from(repo));
    await s.createUpload('only-an-upload');
    assert.deepEqual(await s.listRepositories(), ['a', 'a-b', 'a/b', 'a/b/c', 'b']);
    assert.deepEqual(await s.listTags('a/b'), []);
  });

  contractGcTests(name, make);
  hostileNameTests(name, make);
}

function hostileNameTests(name: string, make: MakeStorage): void {
  const badRepos = ['', '../x', 'a/../b', '..', 'A', 'a//b', '/abs', 'a/', '_manifests', 'a/_layers', 'a/.hidden', 'a\\b', 'a\0b', 'x'.repeat(256)];
  const badTags = ['', '.hidden', '-x', '../t', 'a/b', 'x'.repeat(129), 'a b', 'a:b'];
  const badIds = ['', '..', '../../etc/passwd', 'abc', 'ABCDEF01-2345-6789-ABCD-EF0123456789', '12345678-1234-1234-1234-1234567890ab/..'];

  test(`${name}: hostile repository names, tags, ids and digests are refused`, async (t) => {
    const s = await make(t);
    const ok = await pushBlob(s, 'ok', Buffer.from('x'));
    const up = await s.createUpload('ok');
    const m = image(ok, []);
    const forged = Object.create(Hash.prototype, { algorithm: { value: 'sha256' }, hex: { value: '../../../../etc/passwd' } }) as Hash;
    const refused = async (p: Promise<unknown>, what: string) => assert.rejects(p, InvalidArgumentError, what);
    for (const r of badRepos) {
      const what = JSON.stringify(r);
      await refused(s.statBlob(r, ok.digest), what);
      await refused(s.openBlob(r, ok.digest), what);
      await refused(s.openBlob(r, ok.digest, undefined, { stat: { digest: ok.digest, size: ok.size } }), `${what} (with a stat)`);
      await refused(s.linkBlob(r, ok.digest), what);
      await refused(s.unlinkBlob(r, ok.digest), what);
      await refused(s.createUpload(r), what);
      await refused(s.getUpload(r, up.id), what);
      await refused(s.appendUpload(r, up.id, chunks(Buffer.from('x'))), what);
      await refused(s.completeUpload(r, up.id, ok.digest), what);
      await refused(s.cancelUpload(r, up.id), what);
      await refused(s.getManifest(r, 'latest'), what);
      await refused(s.hasManifest(r, m.digest), what);
      await refused(s.putManifest(r, m, { tag: 'latest' }), what);
      await refused(s.deleteManifest(r, m.digest), what);
      await refused(s.deleteTag(r, 'latest'), what);
      await refused(s.listTags(r), what);
      await refused(s.listReferrers(r, m.digest), what);
    }
    for (const tag of badTags) {
      await refused(s.putManifest('ok', m, { tag }), tag);
      await refused(s.deleteTag('ok', tag), tag);
      if (!tag.includes(':')) await refused(s.getManifest('ok', tag), tag);
    }
    for (const ref of ['sha256:zz', 'sha256:../../x', 'md5:00', ':']) await refused(s.getManifest('ok', ref), ref);
    for (const id of badIds) {
      await refused(s.getUpload('ok', id), id);
      await refused(s.appendUpload('ok', id, chunks(Buffer.from('x'))), id);
      await refused(s.completeUpload('ok', id, ok.digest), id);
      await refused(s.cancelUpload('ok', id), id);
    }
    await refused(s.statBlob('ok', forged), 'forged digest');
    await refused(s.openBlob('ok', forged), 'forged digest');
    await refused(s.linkBlob('ok', forged), 'forged digest');
    await refused(s.completeUpload('ok', up.id, forged), 'forged digest');
    await refused(s.deleteManifest('ok', forged), 'forged digest');
    await refused(s.hasManifest('ok', forged), 'forged digest');
    await refused(s.listReferrers('ok', forged), 'forged digest');
    await refused(s.putManifest('ok', { ...m, digest: forged }), 'forged digest');
    await refused(s.putManifest('ok', m, { subject: forged }), 'forged subject');
    // Nothing was created by any of it.
    assert.deepEqual(await s.listRepositories(), ['ok']);
    assert.deepEqual(await s.listTags('ok'), []);
    assert.equal((await s.getUpload('ok', up.id))?.size, 0);
  });
}
