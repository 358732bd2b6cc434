import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { DaemonError, DigestMismatchError, InvalidArgumentError, NotFoundError } from '../errors/index.ts';
import { Tag } from '../name/index.ts';
import * as random from '../random/index.ts';
import * as validate from '../validate/index.ts';
import type { Image } from '../v1/interfaces.ts';
import { fakeImageFor, startFakeEngine, type FakeEngine } from './fake-engine.test-fixtures.ts';
import { image } from './image.ts';
import { liveSpools } from '../internal/spool/index.ts';

const NAME = 'example.com/read:1';
let engine: FakeEngine;
let source: Image;
let tmpDir: string;

before(async () => {
  engine = await startFakeEngine();
  source = random.image(8192, 3, { seed: 'read' });
  engine.add(await fakeImageFor(source, Tag.parse(NAME)), NAME);
});
after(() => engine.close());
beforeEach(async () => {
  tmpDir = await mkdtemp(join(tmpdir(), 'containerregistry-daemon-image-test-'));
  engine.requests.length = 0;
});
afterEach(async () => {
  engine.behaviour.save = 'ok';
  await rm(tmpDir, { recursive: true, force: true });
});

const saves = () => engine.requests.filter((r) => r.url.includes('/images/get')).length;

test('a missing image fails at once with NotFoundError, before any save', async () => {
  await assert.rejects(image('example.com/none:1', { host: engine.host }), NotFoundError);
  assert.equal(saves(), 0);
});

test('configName and configFile come from inspect and history, without a save', async () => {
  const img = await image(Tag.parse(NAME), { host: engine.host, tmpDir });
  assert.ok((await img.configName()).equals(await source.configName()));
  const cf = await img.configFile();
  const want = await source.configFile();
  assert.deepEqual(cf.rootfs.diff_ids.map(String), want.rootfs.diff_ids.map(String));
  assert.deepEqual(cf.history?.map((h) => h.comment), want.history?.map((h) => h.comment));
  assert.equal(saves(), 0);
  assert.deepEqual(await readdir(tmpDir), []);
  await img.close();
});

test('buffer "file": one save spooled to a temp file for every read, removed on close', async () => {
  const img = await image(NAME, { host: engine.host, tmpDir, configFrom: 'tarball' });
  assert.deepEqual(await img.rawConfigFile(), await source.rawConfigFile());
  const layers = await img.layers();
  assert.deepEqual(await Promise.all(layers.map(async (l) => String(await l.diffID()))), (await source.configFile()).rootfs.diff_ids.map(String));
  await validate.image(img);
  assert.equal(saves(), 1);
  assert.equal((await readdir(tmpDir)).length, 1);
  assert.ok(liveSpools().some((d) => d.startsWith(tmpDir)));
  await img[Symbol.asyncDispose]();
  assert.deepEqual(await readdir(tmpDir), []);
  assert.ok(!liveSpools().some((d) => d.startsWith(tmpDir)));
  await assert.rejects(img.layers(), InvalidArgumentError);
  await img.close(); // twice is fine
});

test('buffer "none": nothing on disk, a save for every read of the archive', async () => {
  const img = await image(NAME, { host: engine.host, tmpDir, buffer: 'none', configFrom: 'tarball' });
  const layers = await img.layers();
  for (const l of layers) await pipeline(await l.uncompressed(), new Writable({ write: (_c, _e, cb) => cb() }));
  assert.ok(saves() > 1, `saves: ${saves()}`);
  assert.deepEqual(await readdir(tmpDir), []);
  await validate.image(img);
  await img.close();
});

test('a save that breaks off fails the read with DaemonError and leaves no temp file; the next read tries again', async () => {
  const img = await image(NAME, { host: engine.host, tmpDir });
  engine.behaviour.save = 'drop';
  await assert.rejects(img.layers(), (err: unknown) => {
    assert.ok(err instanceof DaemonError, String(err));
    assert.match(err.message, /broke off/);
    return true;
  });
  assert.deepEqual(await readdir(tmpDir), []);
  assert.ok(!liveSpools().some((d) => d.startsWith(tmpDir)));
  engine.behaviour.save = 'ok';
  assert.equal((await img.layers()).length, 3);
  await img.close();
  assert.deepEqual(await readdir(tmpDir), []);
});

test('a tarball whose config is not the inspected image is refused', async () => {
  const other = await fakeImageFor(random.image(1024, 1, { seed: 'other' }), Tag.parse('example.com/other:1'));
  const real = await fakeImageFor(source, Tag.parse(NAME));
  engine.add({ ...real, tarball: other.tarball }, 'example.com/liar:1');
  try {
    const img = await image('example.com/liar:1', { host: engine.host, tmpDir });
    await assert.rejects(img.layers(), DigestMismatchError);
    await img.close();
  } finally {
    engine.add(real, NAME);
  }
});

test('configFrom "inspect" (the default) is not the raw config, and validate says so; "tarball" is', async () => {
  const img = await image(NAME, { host: engine.host, tmpDir });
  // The fake's history has no authors: the rebuilt history differs from random.image's.
  await assert.rejects(validate.image(img), /configFile\(\) differs from the parsed raw config/);
  await img.close();
  const exact = await image(NAME, { host: engine.host, tmpDir, configFrom: 'tarball' });
  assert.deepEqual(await exact.configFile(), await source.configFile());
  await exact.close();
});

test('with the containerd image store (ID = manifest digest, per Descriptor) the config name comes from the tarball', async () => {
  const real = await fakeImageFor(source, Tag.parse(NAME));
  const manifestDigest = `sha256:${'d'.repeat(64)}`;
  const inspect = { ...real.inspect, Id: manifestDigest, Descriptor: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: 500 } };
  engine.add({ ...real, inspect }, 'example.com/containerd:1');
  const img = await image('example.com/containerd:1', { host: engine.host, tmpDir });
  assert.equal(saves(), 0);
  assert.ok((await img.configName()).equals(await source.configName()));
  assert.equal(saves(), 1);
  await img.close();
});
