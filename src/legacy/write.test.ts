import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delegateImage, delegateLayer } from '../v1/delegate.test-fixtures.ts';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { hasCode } from '../errors/index.ts';
import { parseReference, Tag } from '../name/index.ts';
import * as random from '../random/index.ts';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Image } from '../v1/interfaces.ts';
import { readTar } from '../internal/tar/index.ts';
import { configA, configB, fixtureImage, layerOne, layerThree, layerTwo } from './legacy.test-fixtures.ts';
import { multiWrite, multiWriteToFile, write, writeToFile } from './index.ts';
import { buffer as drain } from 'node:stream/consumers';
import * as cache from '../cache/index.ts';
import { bytesHashed } from '../../test/harness/bytes-hashed.ts';
import { tempDirFor } from '../../test/harness/temp-dir.ts';

/** The archive's members in order, with their bodies. */
async function members(archive: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const e of readTar(Readable.from([archive]))) {
    assert.equal(e.header.type, 'file');
    assert.equal(e.header.mode, 0o644);
    assert.equal(e.header.uid, 0);
    assert.equal(e.header.mtime.getTime(), 0);
    out.set(e.header.name, await drain(e.body));
  }
  return out;
}

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

// Produced by Go (encoding/json, archive/tar) running ggcr's legacy algorithm on the same inputs.
const GO_ARCHIVE_A = '25da4695cb0e995e01b26d68761937ec2b57c9d72298c64faa37c3888cfffcbd';
const GO_ARCHIVE_AB = 'd193e2a595962023fba49e713bc46ab69c7ba749e571e05afb758a7aca9e7de9';

test('one image: byte for byte what Go writes, with v1 IDs chained from the layer digests', async () => {
  const archive = await drain(write(Tag.parse('app'), fixtureImage(configA, [layerOne, layerTwo])));
  assert.equal(sha(archive), GO_ARCHIVE_A);

  const base = sha(`${sha(layerOne)} `);
  const top = sha(Buffer.concat([Buffer.from(`${sha(layerTwo)} ${base} `), configA]));
  const m = await members(archive);
  assert.deepEqual([...m.keys()], [
    `${sha(configA)}.json`,
    `${base}/layer.tar`,
    `${base}/json`,
    `${base}/VERSION`,
    `${top}/layer.tar`,
    `${top}/json`,
    `${top}/VERSION`,
    'manifest.json',
    'repositories',
  ]);
  assert.deepEqual(m.get(`${sha(configA)}.json`), configA);
  assert.deepEqual(m.get(`${base}/layer.tar`), layerOne);
  assert.deepEqual(m.get(`${top}/layer.tar`), layerTwo);
  assert.equal(m.get(`${top}/VERSION`)!.toString(), '1.0');

  // The empty_layer history entry is skipped: the second layer gets the third entry.
  const baseJSON = JSON.parse(m.get(`${base}/json`)!.toString());
  assert.equal(baseJSON.author, 'x <a&b>');
  assert.deepEqual(baseJSON.container_config, { Cmd: ['/bin/sh -c #(nop) ADD file:abc in / '] });
  assert.equal(baseJSON.parent, undefined);
  assert.match(m.get(`${base}/json`)!.toString(), /"author":"x \\u003ca\\u0026b\\u003e"/);
  const topJSON = JSON.parse(m.get(`${top}/json`)!.toString());
  assert.equal(topJSON.id, top);
  assert.equal(topJSON.parent, base);
  assert.equal(topJSON.comment, 'buildkit.dockerfile.v0');
  assert.equal(topJSON.created, '2024-01-02T03:04:05.123456789Z', 'the top layer takes the image creation time');
  assert.equal(topJSON.architecture, 'amd64');
  assert.deepEqual(topJSON.config.Labels, { a: '1', b: '2' });

  assert.deepEqual(JSON.parse(m.get('manifest.json')!.toString()), [
    { Config: `${sha(configA)}.json`, RepoTags: ['app:latest'], Layers: [`${base}/layer.tar`, `${top}/layer.tar`] },
  ]);
  assert.equal(m.get('repositories')!.toString(), `{"app":{"latest":"${top}"}}`);
});

test('several images: ordered by config digest, tags sorted, shared layer folders written once, as Go', async () => {
  const a = fixtureImage(configA, [layerOne, layerTwo]);
  const b = fixtureImage(configB, [layerOne, layerThree]);
  const refs = [
    [parseReference('example.com/app:v1'), a],
    [parseReference('localhost:5000/ns/app:2'), a],
    [parseReference('app'), a],
    [parseReference(`app@${Hash.of('x')}`), b],
  ] as const;
  const archive = await drain(multiWrite(refs));
  assert.equal(sha(archive), GO_ARCHIVE_AB);
  // The order of the input does not matter.
  assert.deepEqual(await drain(multiWrite([...refs].reverse())), archive);

  const m = await members(archive);
  const manifest = JSON.parse(m.get('manifest.json')!.toString());
  assert.deepEqual(
    manifest.map((e: { Config: string }) => e.Config),
    [`${sha(configA)}.json`, `${sha(configB)}.json`].sort(),
  );
  const entryA = manifest.find((e: { Config: string }) => e.Config === `${sha(configA)}.json`);
  const entryB = manifest.find((e: { Config: string }) => e.Config === `${sha(configB)}.json`);
  assert.deepEqual(entryA.RepoTags, ['app:latest', 'example.com/app:v1', 'localhost:5000/ns/app:2']);
  assert.equal(entryB.RepoTags, null, 'an image named only by digest has no tags');
  assert.equal(entryA.Layers[0], entryB.Layers[0], 'the shared base layer has one v1 ID');
  assert.equal([...m.keys()].filter((k) => k === entryA.Layers[0]).length, 1);
  const topA = entryA.Layers[1].split('/')[0];
  assert.deepEqual(JSON.parse(m.get('repositories')!.toString()), {
    app: { latest: topA },
    'example.com/app': { v1: topA },
    'localhost:5000/ns/app': { '2': topA },
  });
});

test('the same image under two references (even as two objects) is written once with both tags', async () => {
  const one = fixtureImage(configA, [layerOne, layerTwo]);
  const two = fixtureImage(configA, [layerOne, layerTwo]);
  const m = await members(await drain(multiWrite([[Tag.parse('b:2'), one], [Tag.parse('a:1'), two]])));
  const manifest = JSON.parse(m.get('manifest.json')!.toString());
  assert.equal(manifest.length, 1);
  assert.deepEqual(manifest[0].RepoTags, ['a:1', 'b:2']);
});

test('an image without history gets blank v1 layer configs', async () => {
  const m = await members(await drain(write(Tag.parse('b:1'), fixtureImage(configB, [layerOne, layerThree]))));
  const base = sha(`${sha(layerOne)} `);
  assert.equal(
    m.get(`${base}/json`)!.toString(),
    `{"architecture":"","created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"","diff_ids":null},"config":{},"container_config":{"Cmd":[""]},"id":"${base}"}`,
  );
});

test('history that does not match the layers is refused, naming the image', async () => {
  const raw = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      history: [{ created_by: 'a' }, { created_by: 'b' }, { created_by: 'c' }],
      rootfs: { type: 'layers', diff_ids: [Hash.of(layerOne).toString()] },
      config: {},
    }),
  );
  await assert.rejects(drain(write(Tag.parse('x:1'), fixtureImage(raw, [layerOne]))), (err) => {
    return hasCode(err, 'ERR_BAD_DOCUMENT') && /3 history entries/.test((err as Error).message) && (err as Error).message.includes(sha(raw));
  });
});

test('an image without layers is refused (the v1 format names images by their top layer)', async () => {
  const raw = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: {} }));
  await assert.rejects(drain(write(Tag.parse('x:1'), fixtureImage(raw, []))), (err) => hasCode(err, 'ERR_INVALID_ARGUMENT'));
});

test('gzip layers are written uncompressed, sized by a counting pass, and IDs use the compressed digest', async () => {
  const img = random.image(3000, 2, { seed: 'legacy-gzip' });
  const m = await members(await drain(write(Tag.parse('r:1'), img)));
  const layers = await img.layers();
  const manifest = JSON.parse(m.get('manifest.json')!.toString());
  let parent = '';
  for (const [i, l] of layers.entries()) {
    const tar = await drain(await l.uncompressed());
    const file = manifest[0].Layers[i];
    assert.deepEqual(m.get(file), tar);
    const top = i === layers.length - 1;
    const expected = top
      ? sha(Buffer.concat([Buffer.from(`${(await l.digest()).hex} ${parent} `), await img.rawConfigFile()]))
      : sha(`${(await l.digest()).hex} ${parent}`);
    assert.equal(file, `${expected}/layer.tar`);
    parent = expected;
  }
});

test('a layer whose tar does not match its diffID fails the archive', async () => {
  const raw = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [Hash.of(layerOne).toString()] }, config: {} }));
  const base = fixtureImage(raw, [layerOne]);
  const [l] = await base.layers();
  const lying: Image = {
    ...delegateImage(base),
    layers: async () => [{ ...delegateLayer(l!), uncompressed: async () => Readable.from([layerTwo.subarray(0, layerOne.length)]) }],
  };
  await assert.rejects(drain(write(Tag.parse('x:1'), lying)), (err) => hasCode(err, 'ERR_DIGEST_MISMATCH'));
});

test('foreign layers are written and recorded in LayerSources by diffID', async () => {
  const raw = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'windows', rootfs: { type: 'layers', diff_ids: [Hash.of(layerOne).toString()] }, config: {} }));
  const img = fixtureImage(raw, [layerOne], types.DockerForeignLayer);
  const m = await members(await drain(write(Tag.parse('w:1'), img)));
  const [entry] = JSON.parse(m.get('manifest.json')!.toString());
  const d = Hash.of(layerOne).toString();
  assert.deepEqual(Object.keys(entry.LayerSources), [d]);
  assert.equal(entry.LayerSources[d].mediaType, types.DockerForeignLayer);
  assert.deepEqual(m.get(entry.Layers[0]), layerOne);
});

test('writeToFile writes the whole archive or, on failure, nothing at all', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'legacy-test-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const img = fixtureImage(configA, [layerOne, layerTwo]);
  const out = join(dir, 'a.tar');
  await writeToFile(out, Tag.parse('app'), img);
  assert.equal(sha(await readFile(out)), GO_ARCHIVE_A);

  const [l1, l2] = await img.layers();
  const failing: Image = {
    ...delegateImage(img),
    layers: async () => [
      l1!,
      {
        ...delegateLayer(l2!),
        uncompressed: async () =>
          Readable.from(
            (async function* () {
              yield layerTwo.subarray(0, 1000);
              throw new Error('source went away');
            })(),
          ),
      },
    ],
  };
  const failed = join(dir, 'b.tar');
  await assert.rejects(multiWriteToFile(failed, [[Tag.parse('b:1'), failing]]), /source went away/);
  assert.deepEqual(await readdir(dir), ['a.tar']);
});



test('a layer whose tar comes from the cache is hashed once on its way into the archive', async (t) => {
  const dir = await tempDirFor(t, 'legacy-cache');
  const c = cache.filesystemCache(dir);
  const src = random.image(256 * 1024, 2, { seed: 'legacy-cached' });
  // Warm the cache with both tars, then write through a fresh cached view of the image.
  let tars = 0;
  for (const l of await cache.image(src, c).layers()) tars += (await drain(await l.uncompressed())).length;
  const img = cache.image(src, c);
  // The image's digest, which an image built from tars learns by compressing every layer, is
  // work of its own; this test is about the tars.
  await img.digest();
  let archive = Buffer.alloc(0);
  const hashed = await bytesHashed(async () => {
    archive = await drain(write(Tag.parse('cached:v1'), img));
  });
  // The cache's own check hashes each tar once; the writer used to hash it a second time.
  assert.ok(hashed >= tars && hashed < tars * 1.5, `hashed ${hashed} bytes for ${tars} bytes of tars`);
  assert.equal((await members(archive)).size > 0, true);
});
