import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import * as random from '../random/index.ts';
import * as types from '../types/index.ts';
import { Digest, Tag } from '../name/index.ts';
import type { Image, Layer } from '../v1/interfaces.ts';
import { uncompressedToImage } from '../partial/index.ts';
import type { Update } from '../v1/progress.ts';
import { calculateSize, computeManifest } from './write-plan.ts';
import { multiRefWrite, multiWrite, write } from './write.ts';
import { parseTarballManifest } from './manifest.ts';
import { collect, imageOf, members } from './write.test-fixtures.ts';

const hexOf = async (l: Layer) => (await l.digest()).hex;

test('one image: config, layers, manifest.json in that order, each a USTAR 0644 root-owned file dated 1970', async () => {
  const img = random.image(300, 2, { seed: 'one' });
  const ref = Tag.parse('registry.example/app:v1');
  const archive = await collect(write(ref, img));
  const ms = await members(archive);
  const [l1, l2] = await img.layers();
  const config = (await img.configName()).toString();
  const layerNames = [`${await hexOf(l1!)}.tar.gz`, `${await hexOf(l2!)}.tar.gz`];
  assert.deepEqual(ms.map((m) => m.header.name), [config, ...layerNames, 'manifest.json']);
  for (const m of ms) {
    assert.equal(m.header.type, 'file');
    assert.equal(m.header.mode, 0o644);
    assert.equal(m.header.uid, 0);
    assert.equal(m.header.gid, 0);
    assert.equal(m.header.uname, '');
    assert.equal(m.header.gname, '');
    assert.equal(m.header.mtime?.getTime(), 0);
    // Go's FormatUSTAR: magic "ustar\0", version "00"; typeflag '0'.
    assert.deepEqual(m.block.subarray(257, 265), Buffer.from('ustar\x0000', 'latin1'));
    assert.equal(m.block[156], 0x30);
  }
  assert.deepEqual(ms[0]!.body, await img.rawConfigFile());
  assert.deepEqual(ms[1]!.body, await collect(await l1!.compressed()));
  assert.deepEqual(ms[2]!.body, await collect(await l2!.compressed()));
  assert.equal(
    ms[3]!.body.toString(),
    `[{"Config":"${config}","RepoTags":["registry.example/app:v1"],"Layers":["${layerNames[0]}","${layerNames[1]}"]}]`,
  );
  assert.equal(archive.length, await calculateSize([[ref, img]]));
  assert.ok(archive.subarray(-1024).every((b) => b === 0), 'ends with two zero blocks');
});

test('RepoTags: an implicit tag is spelled out, an explicit one kept, a digest reference gives null', async () => {
  const img = random.image(10, 1, { seed: 'tags' });
  const tagsOf = async (ref: Tag | Digest) => (await computeManifest([[ref, img]]))[0]!.RepoTags;
  assert.deepEqual(await tagsOf(Tag.parse('app')), ['app:latest']);
  assert.deepEqual(await tagsOf(Tag.parse('localhost:5000/app')), ['localhost:5000/app:latest']);
  assert.deepEqual(await tagsOf(Tag.parse('index.docker.io/library/app:latest')), ['index.docker.io/library/app:latest']);
  assert.deepEqual(await tagsOf(Tag.parse('app', { defaultTag: 'stable' })), ['app:stable']);
  const byDigest = Digest.parse(`registry.example/app@${await img.digest()}`);
  assert.deepEqual(await tagsOf(byDigest), []);
  const json = (await members(await collect(write(byDigest, img)))).at(-1)!.body.toString();
  assert.match(json, /^\[\{"Config":"sha256:[0-9a-f]{64}","RepoTags":null,"Layers":\["[0-9a-f]{64}\.tar\.gz"\]\}\]$/);
});

test('several images: one entry per image sorted by joined RepoTags; a shared layer is written once', async () => {
  const shared = random.layer(200, types.DockerLayer, { seed: 'shared' });
  const own = random.layer(200, types.DockerLayer, { seed: 'own' });
  const a = await imageOf([shared, own]);
  const b = await imageOf([shared], { architecture: 'arm64' });
  const c = random.image(100, 1, { seed: 'by-digest' });
  const [tagB1, tagA2, tagA1] = [Tag.parse('b:1'), Tag.parse('a:2'), Tag.parse('a:1')];
  const images = [
    [tagB1, a],
    [Digest.parse(`c@${await c.digest()}`), c],
    [tagA2, a],
    [tagA1, b],
  ] as const;
  const archive = await collect(multiRefWrite(images));
  const ms = await members(archive);
  const [cfgA, cfgB, cfgC] = [await a.configName(), await b.configName(), await c.configName()].map(String);
  const [sharedFile, ownFile] = [`${await hexOf(shared)}.tar.gz`, `${await hexOf(own)}.tar.gz`];
  const cFile = `${await hexOf((await c.layers())[0]!)}.tar.gz`;
  // Sorted by joined tags: "" (c) < "a:1" (b) < "b:1,a:2" (a, tags in the order given).
  assert.deepEqual(
    ms.map((m) => m.header.name),
    [cfgC, cFile, cfgB, sharedFile, cfgA, ownFile, 'manifest.json'],
  );
  const expected =
    `[{"Config":"${cfgC}","RepoTags":null,"Layers":["${cFile}"]},` +
    `{"Config":"${cfgB}","RepoTags":["a:1"],"Layers":["${sharedFile}"]},` +
    `{"Config":"${cfgA}","RepoTags":["b:1","a:2"],"Layers":["${sharedFile}","${ownFile}"]}]`;
  assert.equal(ms.at(-1)!.body.toString(), expected);
  assert.deepEqual(parseTarballManifest(expected), await computeManifest(images));
  assert.equal(archive.length, await calculateSize(images));
});

test('multiWrite takes tags and writes what multiRefWrite writes', async () => {
  const img = random.image(50, 1, { seed: 'multi' });
  const images = [[Tag.parse('x:1'), img] as const, [Tag.parse('x:2'), img] as const];
  assert.deepEqual(await collect(multiWrite(images)), await collect(multiRefWrite(images)));
});

test('layer file names follow the media type: .tar.zst for zstd, .tar for uncompressed', async () => {
  const zstd = random.image(100, 1, { seed: 'z', compression: 'zstd' });
  const plain = random.image(100, 1, { seed: 'p', compression: 'none', format: 'oci' });
  const m = await computeManifest([
    [Tag.parse('z:1'), zstd],
    [Tag.parse('p:1'), plain],
  ]);
  assert.deepEqual(m[0]!.Layers, [`${await hexOf((await plain.layers())[0]!)}.tar`]);
  assert.deepEqual(m[1]!.Layers, [`${await hexOf((await zstd.layers())[0]!)}.tar.zst`]);
  const ms = await members(await collect(write(Tag.parse('z:1'), zstd)));
  assert.deepEqual(ms[1]!.body, await collect(await (await zstd.layers())[0]!.compressed()));
});

test('a foreign layer is written and recorded in LayerSources under its diffID, with its urls', async () => {
  const base = random.layer(100, types.DockerForeignLayer, { seed: 'foreign' });
  const top = random.layer(100, types.DockerLayer, { seed: 'top' });
  const url = 'https://mcr.example/blob?x=<&>';
  const img = await imageOf([base, top], { extras: [{ urls: [url] }] });
  const ms = await members(await collect(write(Tag.parse('win:1'), img)));
  const [d, size, diffID] = [await base.digest(), await base.size(), await base.diffID()];
  assert.deepEqual(ms[1]!.body, await collect(await base.compressed()));
  const json = ms.at(-1)!.body.toString();
  // Go's encoder escapes <, > and & in strings.
  const source = `{"${diffID}":{"mediaType":"${types.DockerForeignLayer}","size":${size},"digest":"${d}","urls":["https://mcr.example/blob?x=\\u003c\\u0026\\u003e"]}}`;
  assert.ok(json.endsWith(`"LayerSources":${source}}]`), json);
  const m = await computeManifest([[Tag.parse('win:1'), img]]);
  assert.deepEqual(m[0]!.LayerSources?.[diffID.toString()]?.urls, [url]);
});

test('progress: the total first, then growing counts ending at complete === total === bytes produced', async () => {
  const img = random.image(70_000, 2, { seed: 'progress' });
  const ref = Tag.parse('p:1');
  const updates: Update[] = [];
  const archive = await collect(write(ref, img, { onProgress: (u) => updates.push(u) }));
  const total = await calculateSize([[ref, img]]);
  assert.deepEqual(updates[0], { total, complete: 0 });
  assert.ok(updates.length > 3);
  for (const [i, u] of updates.entries()) {
    assert.equal(u.total, total);
    assert.equal(u.error, undefined);
    if (i > 0) assert.ok(u.complete > updates[i - 1]!.complete);
  }
  assert.equal(updates.at(-1)!.complete, archive.length);
  assert.equal(archive.length, total);
});

test('a layer whose bytes do not match its digest fails the stream, and progress reports the error', async () => {
  const good = random.layer(500, types.DockerLayer, { seed: 'liar' });
  const size = await good.size();
  const liar: Layer = {
    digest: () => good.digest(),
    diffID: () => good.diffID(),
    size: () => good.size(),
    mediaType: () => good.mediaType(),
    uncompressed: (o) => good.uncompressed(o),
    compressed: async () => Readable.from([Buffer.alloc(size, 0x41)]),
  };
  const img = await imageOf([liar]);
  const updates: Update[] = [];
  const out = write(Tag.parse('bad:1'), img, { onProgress: (u) => updates.push(u) });
  await assert.rejects(collect(out), { code: 'ERR_DIGEST_MISMATCH' });
  await new Promise((r) => setImmediate(r));
  const last = updates.at(-1)!;
  assert.equal((last.error as { code?: string } | undefined)?.code, 'ERR_DIGEST_MISMATCH');
  assert.ok(last.complete < last.total);
});

test('no images: computeManifest rejects and the stream fails, with InvalidArgumentError', async () => {
  await assert.rejects(computeManifest([]), { code: 'ERR_INVALID_ARGUMENT' });
  const updates: Update[] = [];
  await assert.rejects(collect(multiRefWrite([], { onProgress: (u) => updates.push(u) })), { code: 'ERR_INVALID_ARGUMENT' });
  await new Promise((r) => setImmediate(r));
  assert.equal(updates.length, 1);
  assert.equal((updates[0]!.error as { code?: string }).code, 'ERR_INVALID_ARGUMENT');
});

/** A layer whose compressed stream gives 10 bytes and then nothing, ever. */
function stallingLayer(seed: string): { stalling: Layer; stalled: PassThrough } {
  const real = random.layer(1000, types.DockerLayer, { seed });
  const stalled = new PassThrough();
  const stalling: Layer = {
    digest: () => real.digest(),
    diffID: () => real.diffID(),
    size: () => real.size(),
    mediaType: () => real.mediaType(),
    uncompressed: (o) => real.uncompressed(o),
    async compressed() {
      stalled.write(Buffer.alloc(10));
      return stalled;
    },
  };
  return { stalling, stalled };
}

test('abort: the stream fails with the abort and the layer being copied is closed', async () => {
  const { stalling, stalled } = stallingLayer('stall');
  const img = await imageOf([stalling]);
  const controller = new AbortController();
  const out = write(Tag.parse('stall:1'), img, {
    signal: controller.signal,
    onProgress: (u) => {
      if (u.complete > 0 && !u.error) controller.abort(new Error('user gave up'));
    },
  });
  await assert.rejects(collect(out), (err: Error) => err.name === 'AbortError' || err.message === 'user gave up');
  await new Promise((r) => setImmediate(r));
  assert.ok(stalled.destroyed, 'the stalled layer stream was destroyed');
});

test('destroying the output (no signal) closes it, closes the stalled layer being copied, and progress reports the failure', async () => {
  const { stalling, stalled } = stallingLayer('stall-destroy');
  const img = await imageOf([stalling]);
  const updates: Update[] = [];
  const out = write(Tag.parse('stall:2'), img, { onProgress: (u) => updates.push(u) });
  // Read until the layer's first bytes have gone out, then give up on the stream.
  await new Promise<void>((resolve) => {
    out.on('data', () => {
      if (updates.some((u) => u.complete > 0 && !u.error) && stalled.listenerCount('data') + stalled.listenerCount('readable') > 0) resolve();
    });
  });
  const closed = new Promise<void>((resolve) => out.once('close', () => resolve()));
  out.destroy();
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 2000).unref());
  assert.equal(await Promise.race([closed.then(() => 'closed' as const), timeout]), 'closed');
  assert.ok(stalled.destroyed, 'the stalled layer stream was destroyed');
  await new Promise((r) => setImmediate(r));
  assert.ok(updates.at(-1)!.error, 'progress ends with the failure');
});

/**
 * An image whose one layer is known by its uncompressed tar, the stalling stream: its manifest,
 * which planning needs, waits for that tar to be gzipped to learn the layer's digest and size.
 */
async function sizedByStreaming(seed: string): Promise<{ img: Image; stalled: PassThrough }> {
  const { stalling, stalled } = stallingLayer(seed);
  const rawConfig = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [(await stalling.diffID()).toString()] } }),
  );
  const img = uncompressedToImage({
    rawConfigFile: async () => rawConfig,
    mediaType: async () => types.DockerManifestSchema2,
    layerByDiffID: async () => ({ diffID: () => stalling.diffID(), mediaType: () => stalling.mediaType(), uncompressed: (o) => stalling.compressed(o) }),
  });
  return { img, stalled };
}

/** What `p` settles to within `ms`, or 'timeout'; the timer keeps the test alive while it waits. */
async function within<T>(ms: number, p: Promise<T>): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once something reads `stream`. */
async function beingRead(stream: PassThrough): Promise<void> {
  while (stream.listenerCount('data') + stream.listenerCount('readable') === 0) await new Promise((r) => setImmediate(r));
}

test('destroying the output while planning waits on a stalled layer size ends it at once, quietly', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => unhandled.push(err);
  process.on('unhandledRejection', onUnhandled);
  try {
    const { img, stalled } = await sizedByStreaming('stall-plan');
    const updates: Update[] = [];
    const out = write(Tag.parse('stall:3'), img, { onProgress: (u) => updates.push(u) });
    const errors: Error[] = [];
    out.on('error', (e) => errors.push(e));
    out.resume();
    await beingRead(stalled);
    const closed = new Promise<void>((resolve) => out.once('close', () => resolve()));
    out.destroy();
    assert.equal(await within(2000, closed.then(() => 'closed')), 'closed');
    assert.deepEqual(errors, [], 'a plain destroy() is not reported as an error');
    assert.equal(updates.length, 1);
    assert.ok(updates[0]!.error, 'progress reports that the tarball was not completed');
    // The abandoned read failing later must not surface as an unhandled rejection.
    stalled.destroy(new Error('source gone'));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('an abort while planning waits on a stalled layer size fails the output at once with the abort', async () => {
  const { img, stalled } = await sizedByStreaming('stall-plan-abort');
  const controller = new AbortController();
  const out = write(Tag.parse('stall:4'), img, { signal: controller.signal });
  const result = collect(out).then(
    () => 'finished',
    (err: Error) => (err.name === 'AbortError' ? 'aborted' : err.message),
  );
  await beingRead(stalled);
  controller.abort();
  assert.equal(await within(2000, result), 'aborted');
  stalled.destroy();
});
