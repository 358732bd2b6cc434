// The registry client against our own registry (memory storage, then token auth): reads and
// writes of images and indexes, tags, catalog, referrers, mounts, progress, platform choice.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import bcrypt from 'bcryptjs';
import * as remote from './index.ts';
import { buffer as drain } from 'node:stream/consumers';
import * as random from '../random/index.ts';
import * as validate from '../validate/index.ts';
import * as types from '../types/index.ts';
import * as partial from '../partial/index.ts';
import { basic } from '../authn/authenticator.ts';
import { listen, type RunningRegistry } from '../registry/server.ts';
import { serverAuth } from '../registry/auth/server-auth.ts';
import { parseAuthConfig } from '../registry/auth/access.ts';
import { Platform } from '../v1/platform.ts';

describe('remote against our registry', () => {
  let reg: RunningRegistry;
  before(async () => {
    reg = await listen();
  });
  after(() => reg.close());

  test('write then read an image: same digest, validates, layers verified', async () => {
    const img = random.image(50_000, 3, { seed: 'rw' });
    const ref = `${reg.host}/app/one:v1`;
    const updates: { total: number; complete: number }[] = [];
    await remote.write(ref, img, { onProgress: (u) => updates.push(u) });
    const last = updates[updates.length - 1]!;
    assert.equal(last.complete, last.total);
    assert.ok(last.total > 150_000);
    const pulled: { total: number; complete: number }[] = [];
    const back = await remote.image(ref, { onProgress: (u) => pulled.push(u) });
    assert.ok((await back.digest()).equals(await img.digest()));
    await validate.image(back);
    // Pulls report progress too: validate read every layer.
    const end = pulled[pulled.length - 1]!;
    assert.ok(end.complete > 150_000 && end.complete <= end.total, JSON.stringify(end));
    assert.ok((await remote.head(ref)).digest.equals(await img.digest()));
  });

  test('pull progress: a layer read twice counts once; complete never passes total and ends at it', async () => {
    const img = random.image(40_000, 2, { seed: 'pull-twice' });
    const ref = `${reg.host}/app/twice:v1`;
    await remote.write(ref, img);
    const updates: { total: number; complete: number }[] = [];
    const back = await remote.image(ref, { onProgress: (u) => updates.push(u) });
    const layers = await back.layers();
    let bytes = 0;
    for (const l of layers) bytes += (await drain(await l.compressed())).length;
    await drain(await layers[0]!.compressed()); // read again, as a retried copy would
    const last = updates.at(-1)!;
    assert.deepEqual(last, { total: bytes, complete: bytes });
    assert.ok(updates.every((u, i) => u.complete <= u.total && (i === 0 || u.complete >= updates[i - 1]!.complete)));
  });

  test('a fetched descriptor is a copy: changing its annotations does not change the manifest views', async () => {
    const img = random.image(100, 1, { seed: 'annotated' });
    await remote.write(`${reg.host}/app/annotated:base`, img);
    const m = JSON.parse((await img.rawManifest()).toString());
    const raw = JSON.stringify({ ...m, mediaType: types.OCIManifestSchema1, annotations: { 'org.x': 'orig' } });
    const put = await fetch(`http://${reg.host}/v2/app/annotated/manifests/v1`, {
      method: 'PUT',
      headers: { 'content-type': types.OCIManifestSchema1 },
      body: raw,
    });
    assert.equal(put.status, 201);
    const got = await remote.get(`${reg.host}/app/annotated:v1`);
    assert.deepEqual(got.descriptor.annotations, { 'org.x': 'orig' });
    (got.descriptor.annotations as Record<string, string>)['org.x'] = 'CHANGED';
    const view = await got.image();
    assert.deepEqual((await view.manifest()).annotations, { 'org.x': 'orig' });
  });

  test('an index round trip, and platform resolution to one child', async () => {
    const idx = random.index(2000, 1, 3, { seed: 'idx', platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/s390x'] });
    const ref = `${reg.host}/app/multi:all`;
    await remote.writeIndex(ref, idx);
    const back = await remote.index(ref);
    assert.ok((await back.digest()).equals(await idx.digest()));
    await validate.index(back);
    const arm = await remote.image(ref, { platform: Platform.parse('linux/arm64') });
    assert.equal((await arm.configFile()).architecture, 'arm64');
    await assert.rejects(remote.image(ref, { platform: Platform.parse('windows/amd64') }), /no child .* matches platform windows\/amd64/);
  });

  test('tags, catalog with small pages, delete', async () => {
    const img = random.image(100, 1, { seed: 'tags' });
    for (const t of ['a', 'b', 'c']) await remote.write(`${reg.host}/app/tags:${t}`, img);
    assert.deepEqual(await remote.list(`${reg.host}/app/tags`, { pageSize: 2 }), ['a', 'b', 'c']);
    const repos = await remote.catalog(reg.host, { pageSize: 1 });
    assert.ok(repos.includes('app/tags') && repos.includes('app/one'));
    await remote.delete(`${reg.host}/app/tags:b`);
    assert.deepEqual(await remote.list(`${reg.host}/app/tags`), ['a', 'c']);
  });

  test('a second push skips existing blobs and mounts across repositories', async () => {
    const img = random.image(10_000, 2, { seed: 'mount' });
    await remote.write(`${reg.host}/src/app:v1`, img);
    const lines: string[] = [];
    await remote.write(`${reg.host}/src/app:v2`, img, { log: (l) => lines.push(l) });
    assert.equal(lines.filter((l) => l.startsWith('existing blob')).length, 2);
    // Layers read from the source repository know where they came from: the push mounts them.
    const from = await remote.image(`${reg.host}/src/app:v1`);
    const mountable = await remote.image(`${reg.host}/src/app:v1`);
    lines.length = 0;
    await remote.write(`${reg.host}/dst/app:v1`, mountable, { log: (l) => lines.push(l) });
    assert.equal(lines.filter((l) => l.startsWith('mounted blob')).length, 2, lines.join('\n'));
    assert.equal((await remote.image(`${reg.host}/dst/app:v1`).then((i) => i.digest())).toString(), (await from.digest()).toString());
  });

  test('multiWrite pushes several images and an index, sharing blobs within a repository', async () => {
    const a = random.image(5000, 2, { seed: 'mw-a' });
    const idx = random.index(1000, 1, 2, { seed: 'mw-i' });
    const lines: string[] = [];
    await remote.multiWrite(
      new Map<string, import('../v1/interfaces.ts').Image | import('../v1/interfaces.ts').ImageIndex>([
        [`${reg.host}/mw/app:a1`, a],
        [`${reg.host}/mw/app:a2`, a],
        [`${reg.host}/mw/other:idx`, idx],
      ]),
      { log: (l) => lines.push(l) },
    );
    assert.ok((await remote.head(`${reg.host}/mw/app:a2`)).digest.equals(await a.digest()));
    assert.ok((await remote.head(`${reg.host}/mw/other:idx`)).digest.equals(await idx.digest()));
    // Within one session a layer is pushed once, whatever references it.
    assert.equal(lines.filter((l) => l.startsWith('pushed blob')).length, 2 + 2);
  });

  test('each fetched manifest is parsed once, whichever views read it', async () => {
    const idx = random.index(1000, 2, 2, { seed: 'parse-once', platforms: ['linux/amd64', 'linux/arm64'] });
    const ref = `${reg.host}/app/parse-once:v1`;
    await remote.writeIndex(ref, idx);
    const amd64 = (await idx.indexManifest()).manifests.find((d) => d.platform?.architecture === 'amd64')!;
    const parses = new Map([
      [(await idx.rawManifest()).toString('utf8'), 0],
      [(await (await idx.image(amd64.digest)).rawManifest()).toString('utf8'), 0],
    ]);
    const parse = JSON.parse;
    JSON.parse = ((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
      const n = parses.get(text);
      if (n !== undefined) parses.set(text, n + 1);
      return parse(text, reviver);
    }) as typeof JSON.parse;
    try {
      const desc = await remote.get(ref);
      const [img, index] = await Promise.all([desc.image(), desc.imageIndex()]);
      assert.equal((await index.indexManifest()).manifests.length, 2);
      const [m, layers, config] = await Promise.all([img.manifest(), img.layers(), img.configName(), img.digest(), img.mediaType()]);
      assert.ok(config.equals(m.config.digest));
      // The layers are described by the very manifest the image hands out, not by a second parse.
      for (const [i, l] of layers.entries()) assert.equal(await partial.descriptor(l), m.layers[i]);
    } finally {
      JSON.parse = parse;
    }
    assert.deepEqual([...parses.values()], [1, 1], 'the index, then the amd64 image');
  });

  test('referrers: listed through the API, filtered by artifactType', async () => {
    const subject = random.image(100, 1, { seed: 'subj' });
    await remote.write(`${reg.host}/refs/app:v1`, subject);
    const sd = await subject.digest();
    const cfg = Buffer.from('{}');
    const { Hash } = await import('../v1/hash.ts');
    await remote.writeLayer((await import('../name/index.ts')).Repository.parse(`${reg.host}/refs/app`), (await import('../static/index.ts')).newLayer(cfg, types.OCIEmptyJSON));
    const mk = (artifactType: string) => {
      const raw = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: types.OCIManifestSchema1,
        artifactType,
        config: { mediaType: types.OCIEmptyJSON, size: 2, digest: Hash.of(cfg).toString() },
        layers: [],
        subject: { mediaType: types.DockerManifestSchema2, size: 0, digest: sd.toString() },
      }));
      return { raw, mediaType: types.OCIManifestSchema1, digest: Hash.of(raw) };
    };
    const sig = mk('application/vnd.example.sig');
    const sbom = mk('application/spdx+json');
    for (const m of [sig, sbom]) await remote.put(`${reg.host}/refs/app@${m.digest}`, m);
    const all = await remote.referrers(`${reg.host}/refs/app@${sd}`);
    assert.deepEqual(all.map((d) => d.digest.toString()).sort(), [sig.digest.toString(), sbom.digest.toString()].sort());
    const only = await remote.referrers(`${reg.host}/refs/app@${sd}`, { artifactType: 'application/spdx+json' });
    assert.deepEqual(only.map((d) => d.digest.toString()), [sbom.digest.toString()]);
  });
});

describe('remote with token auth', () => {
  let reg: RunningRegistry;
  before(async () => {
    const config = await parseAuthConfig({ users: { alice: bcrypt.hashSync('pw', 4) }, access: [{ account: 'alice', repository: '**', actions: ['pull', 'push', 'delete'] }] }, '/');
    reg = await listen(await serverAuth(config, 'token'));
  });
  after(() => reg.close());

  test('push and pull through the token flow; wrong credentials are refused', async () => {
    const img = random.image(20_000, 2, { seed: 'tok' });
    await remote.write(`${reg.host}/secure/app:v1`, img, { auth: basic('alice', 'pw') });
    const back = await remote.image(`${reg.host}/secure/app:v1`, { auth: basic('alice', 'pw') });
    await validate.image(back);
    await assert.rejects(remote.image(`${reg.host}/secure/app:v1`, { auth: basic('alice', 'wrong') }), (e: { code?: string; status?: number }) => e.code === 'ERR_REGISTRY' && e.status === 401);
    await assert.rejects(remote.image(`${reg.host}/secure/app:v1`), (e: { status?: number }) => e.status === 401);
  });
});
