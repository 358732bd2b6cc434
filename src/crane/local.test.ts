// crane's local verbs against our registry: pull into docker, legacy and OCI-layout forms, the
// layer cache, load, push back from a layout or a tarball, the errors a script would see, and the
// library wrappers (pull, save, saveLegacy, saveOCI) judged by what they leave on disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as crane from './index.ts';
import * as remote from '../remote/index.ts';
import * as random from '../random/index.ts';
import * as validate from '../validate/index.ts';
import * as layout from '../layout/index.ts';
import { Anonymous } from '../authn/index.ts';
import { Platform } from '../v1/platform.ts';
import { startFrontedRegistry, type FrontedRegistry } from '../registry/fronted.test-fixtures.ts';
import { readTar } from '../internal/tar/index.ts';
import { createReadStream } from 'node:fs';
import { Hash } from '../v1/hash.ts';

let front: FrontedRegistry;
let host = '';
let dir = '';
let seen: string[] = [];
const o = { auth: Anonymous };
/** A blob digest whose bytes the server flips on GET (same length), to test what reaches disk. */
let corrupt = '';
/** Manifests the wrapper serves itself (media types our registry would refuse to store), by URL path. */
const served = new Map<string, { type: string; body: Buffer }>();

before(async () => {
  front = await startFrontedRegistry();
  host = front.host;
  seen = front.seen;
  front.intercept = (req, res) => {
    const fake = served.get(req.url ?? '');
    if (fake && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': fake.type, 'content-length': fake.body.length, 'docker-content-digest': Hash.of(fake.body).toString() });
      res.end(req.method === 'GET' ? fake.body : undefined);
      return true;
    }
    if (corrupt && req.method === 'GET' && req.url?.endsWith(`/blobs/${corrupt}`)) {
      const write = res.write.bind(res);
      let flipped = false;
      res.write = ((chunk: Buffer, ...rest: never[]) => {
        if (!flipped && Buffer.isBuffer(chunk) && chunk.length > 0) {
          chunk = Buffer.from(chunk);
          chunk[0] = chunk[0]! ^ 0xff;
          flipped = true;
        }
        return write(chunk, ...rest);
      }) as typeof res.write;
    }
    return false;
  };
  dir = await mkdtemp(join(tmpdir(), 'crane-local-'));
  await remote.writeIndex(`${host}/local/multi:v1`, random.index(2000, 2, 2, { seed: 'local-idx', platforms: ['linux/amd64', 'linux/arm64'] }));
  await remote.write(`${host}/local/one:v1`, random.image(3000, 2, { seed: 'local-one' }));
});
after(async () => {
  await front.close();
  await rm(dir, { recursive: true, force: true });
});

async function names(tarPath: string): Promise<string[]> {
  const out: string[] = [];
  for await (const { header, body } of readTar(createReadStream(tarPath))) {
    out.push(header.name);
    body.resume();
  }
  return out;
}

test('pull into a docker tarball: several images, a digest reference tagged i-was-a-digest; load picks by tag', async () => {
  const one = await remote.image(`${host}/local/one:v1`);
  const d = await one.digest();
  const path = join(dir, 'two.tar');
  await crane.pullTo([`${host}/local/one:v1`, `${host}/local/multi@${await (await remote.index(`${host}/local/multi:v1`)).digest()}`], path, o);
  const loaded = await crane.load(path, { tag: `${host}/local/one:v1` });
  assert.ok((await loaded.configName()).equals(await one.configName()));
  assert.ok((await loaded.digest()).equals(d), 'compressed layers keep the manifest digest');
  const amd64 = await crane.load(path, { tag: `${host}/local/multi:${crane.I_WAS_A_DIGEST_TAG}` });
  const wanted = await remote.image(`${host}/local/multi:v1`, { platform: Platform.parse('linux/amd64') });
  assert.ok((await amd64.configName()).equals(await wanted.configName()), 'an index resolves to linux/amd64 by default');
  await validate.image(amd64);
  assert.equal((await names(path)).at(-1), 'manifest.json');
});

test('pull --format legacy writes the v1 layout docker load reads', async () => {
  const path = join(dir, 'legacy.tar');
  await crane.pullTo([`${host}/local/one:v1`], path, { ...o, format: 'legacy' });
  const entries = await names(path);
  assert.ok(entries.includes('repositories') && entries.includes('manifest.json'));
  assert.equal(entries.filter((n) => n.endsWith('/layer.tar')).length, 2);
});

test('pull --format oci keeps an index whole, appends to an existing layout, annotates the ref', async () => {
  const path = join(dir, 'layout');
  await crane.pullTo([`${host}/local/multi:v1`], path, { ...o, format: 'oci', annotateRef: true });
  await crane.pullTo([`${host}/local/one:v1`], path, { ...o, format: 'oci' });
  const idx = await layout.imageIndexFromPath(path);
  const m = (await idx.indexManifest()).manifests;
  assert.equal(m.length, 2);
  assert.ok(m[0]!.digest.equals(await (await remote.index(`${host}/local/multi:v1`)).digest()));
  assert.equal(m[0]!.annotations?.[crane.REF_NAME_ANNOTATION], `${host}/local/multi:v1`);
  assert.equal(m[1]!.annotations, undefined);
  await validate.index(await idx.imageIndex(m[0]!.digest));
  await assert.rejects(crane.loadLocal(path), /contains 2 entries, consider --index/);
  const all = await crane.loadLocal(path, { index: true });
  assert.ok('indexManifest' in all);
  const pushed = await crane.push(all, `${host}/local/whole-layout:v1`, o);
  assert.ok(pushed.equals(await all.digest()));
});

test('pull --platform with --format oci stores the one image; push from the layout keeps its digest', async () => {
  const path = join(dir, 'arm-layout');
  await crane.pullTo([`${host}/local/multi:v1`], path, { ...o, format: 'oci', platform: Platform.parse('linux/arm64') });
  const img = await crane.loadLocal(path);
  assert.ok(!('indexManifest' in img));
  const wanted = await remote.image(`${host}/local/multi:v1`, { platform: Platform.parse('linux/arm64') });
  assert.ok((await img.digest()).equals(await wanted.digest()));
  const pushed = await crane.push(img, `${host}/local/arm:v1`, o);
  assert.ok(pushed.equals(await wanted.digest()));
  assert.ok((await remote.head(`${host}/local/arm:v1`)).digest.equals(pushed));
});

test('the layer cache: a second pull reads layers from the cache, not the registry', async () => {
  const cachePath = join(dir, 'cache');
  await crane.pullTo([`${host}/local/one:v1`], join(dir, 'c1.tar'), { ...o, cachePath });
  const layers = (await (await remote.image(`${host}/local/one:v1`)).manifest()).layers;
  const cached = await readdir(cachePath);
  for (const l of layers) assert.ok(cached.includes(l.digest.toString()), `${l.digest} is cached`);
  seen.length = 0;
  await crane.pullTo([`${host}/local/one:v1`], join(dir, 'c2.tar'), { ...o, cachePath });
  for (const l of layers) assert.ok(!seen.includes(`GET /v2/local/one/blobs/${l.digest}`), `${l.digest} was not fetched again`);
  assert.deepEqual(await readFile(join(dir, 'c2.tar')), await readFile(join(dir, 'c1.tar')));
});

test('bad input: an unknown format, no images, a missing path', async () => {
  await assert.rejects(crane.pullTo([`${host}/local/one:v1`], join(dir, 'x'), { ...o, format: 'zip' as 'oci' }), { code: 'ERR_INVALID_ARGUMENT' });
  await assert.rejects(crane.pullTo([], join(dir, 'x'), o), { code: 'ERR_INVALID_ARGUMENT' });
  await assert.rejects(crane.loadLocal(join(dir, 'does-not-exist')), { code: 'ENOENT' });
  await assert.rejects(crane.pullTo([`${host}/local/absent:v1`], join(dir, 'absent.tar'), o));
  await assert.rejects(readFile(join(dir, 'absent.tar')), { code: 'ENOENT' }, 'a failed pull leaves no file');
});

test('a registry that serves wrong bytes: pull fails with DigestMismatchError, nothing lands under a blob name', async () => {
  const layers = (await (await remote.image(`${host}/local/one:v1`)).manifest()).layers;
  const bad = layers[1]!.digest;
  corrupt = bad.toString();
  try {
    const path = join(dir, 'corrupt-layout');
    await assert.rejects(crane.pullTo([`${host}/local/one:v1`], path, { ...o, format: 'oci' }), { code: 'ERR_DIGEST_MISMATCH' });
    const blobs = await readdir(join(path, 'blobs', 'sha256'));
    assert.ok(!blobs.includes(bad.hex), 'the corrupt blob is not under its name');
    assert.deepEqual(blobs.filter((b) => b.startsWith('.tmp-')), [], 'no temp file left');
    await assert.rejects(crane.pullTo([`${host}/local/one:v1`], join(dir, 'corrupt.tar'), o), { code: 'ERR_DIGEST_MISMATCH' });
    assert.ok(!(await readdir(dir)).some((f) => f.startsWith('corrupt.tar')), 'no tarball, no temp file');
  } finally {
    corrupt = '';
  }
});

test('pull --format oci copies an index child of a media type nobody understands, as its bytes', async () => {
  const { marshalIndexManifest } = await import('../internal/gojson/index.ts');
  const types = await import('../types/index.ts');
  const img = random.image(1000, 1, { seed: 'artifact-child', format: 'oci' });
  await remote.write(`${host}/local/artifacts:img`, img);
  const thing = Buffer.from('{"kind":"something new"}');
  const thingType = 'application/vnd.example.thing+json';
  served.set(`/v2/local/artifacts/manifests/${Hash.of(thing)}`, { type: thingType, body: thing });
  const raw = marshalIndexManifest({
    schemaVersion: 2,
    mediaType: types.OCIImageIndex,
    manifests: [
      { mediaType: types.OCIManifestSchema1, size: await img.size(), digest: await img.digest() },
      { mediaType: thingType, size: thing.length, digest: Hash.of(thing) },
    ],
  } as never);
  served.set('/v2/local/artifacts/manifests/idx', { type: types.OCIImageIndex, body: raw });
  const path = join(dir, 'artifact-layout');
  await crane.pullTo([`${host}/local/artifacts:idx`], path, { ...o, format: 'oci' });
  assert.deepEqual(await readFile(join(path, 'blobs', 'sha256', Hash.of(thing).hex)), thing);
  assert.deepEqual(await readFile(join(path, 'blobs', 'sha256', Hash.of(raw).hex)), raw);
  // Through the layer cache too: the cached index passes the child through.
  const cached = join(dir, 'artifact-layout-cached');
  await crane.pullTo([`${host}/local/artifacts:idx`], cached, { ...o, format: 'oci', cachePath: join(dir, 'artifact-cache') });
  assert.deepEqual(await readFile(join(cached, 'blobs', 'sha256', Hash.of(thing).hex)), thing);
});

test('many layers through a small jobs limit neither hang nor reorder (ggcr #2345)', { timeout: 30_000 }, async () => {
  const img = random.image(20_000, 12, { seed: 'many-layers' });
  await remote.write(`${host}/local/many:v1`, img);
  for (const jobs of [1, 2]) {
    const tar = join(dir, `many-${jobs}.tar`);
    await crane.pullTo([`${host}/local/many:v1`], tar, { ...o, jobs });
    const loaded = await crane.load(tar);
    assert.deepEqual(
      await Promise.all((await loaded.layers()).map(async (l) => String(await l.diffID()))),
      await Promise.all((await img.layers()).map(async (l) => String(await l.diffID()))),
    );
    const path = join(dir, `many-layout-${jobs}`);
    await crane.pullTo([`${host}/local/many:v1`], path, { ...o, format: 'oci', jobs });
    assert.ok((await (await crane.loadLocal(path) as Awaited<ReturnType<typeof remote.image>>).digest()).equals(await img.digest()));
  }
});

/** Every member of a (small) tar file by name. */
async function members(tarPath: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for await (const { header, body } of readTar(createReadStream(tarPath))) {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    out.set(header.name, Buffer.concat(chunks));
  }
  return out;
}

test('pull: an image is itself; an index resolves to linux/amd64, or to the platform asked for', async () => {
  const one = await crane.pull(`${host}/local/one:v1`, o);
  assert.ok((await one.digest()).equals(await random.image(3000, 2, { seed: 'local-one' }).digest()));
  const idx = await remote.index(`${host}/local/multi:v1`);
  const byPlatform = new Map((await idx.indexManifest()).manifests.map((d) => [`${d.platform?.os}/${d.platform?.architecture}`, d.digest.toString()]));
  assert.equal((await (await crane.pull(`${host}/local/multi:v1`, o)).digest()).toString(), byPlatform.get('linux/amd64'));
  const arm = await crane.pull(`${host}/local/multi:v1`, { ...o, platform: Platform.parse('linux/arm64') });
  assert.equal((await arm.digest()).toString(), byPlatform.get('linux/arm64'));
  assert.equal((await arm.configFile()).architecture, 'arm64');
  await assert.rejects(crane.pull(`${host}/local/absent:v1`, o), { code: 'ERR_REGISTRY', status: 404, message: /MANIFEST_UNKNOWN/ });
});

test('save: one docker tarball whose manifest.json names the tag, config and layer files; a digest ref becomes i-was-a-digest', async () => {
  const img = await crane.pull(`${host}/local/one:v1`, o);
  const path = join(dir, 'save.tar');
  await crane.save(img, `${host}/local/one:v1`, path, o);
  const m = await members(path);
  const layers = (await img.manifest()).layers.map((l) => `${l.digest.hex}.tar.gz`);
  const config = (await img.configName()).toString();
  assert.deepEqual([...m.keys()], [config, ...layers, 'manifest.json']);
  assert.deepEqual(JSON.parse(m.get('manifest.json')!.toString()), [{ Config: config, RepoTags: [`${host}/local/one:v1`], Layers: layers }]);
  assert.deepEqual(m.get(config), await img.rawConfigFile());
  assert.ok((await (await crane.load(path)).digest()).equals(await img.digest()), 'the gzip layers are stored as pulled, so the digest is kept');

  const byDigest = join(dir, 'save-digest.tar');
  await crane.save(img, `${host}/local/one@${await img.digest()}`, byDigest, o);
  const entry = JSON.parse((await members(byDigest)).get('manifest.json')!.toString()) as { RepoTags: string[] }[];
  assert.deepEqual(entry[0]!.RepoTags, [`${host}/local/one:${crane.I_WAS_A_DIGEST_TAG}`]);
});

test('saveLegacy: v1 layer folders whose layer.tar are the image diffIDs, repositories pointing the tag at the top one', async () => {
  const img = await crane.pull(`${host}/local/one:v1`, o);
  const path = join(dir, 'save-legacy.tar');
  await crane.saveLegacy(img, `${host}/local/one:v1`, path, o);
  const m = await members(path);
  const entry = (JSON.parse(m.get('manifest.json')!.toString()) as { Config: string; RepoTags: string[]; Layers: string[] }[])[0]!;
  assert.equal(entry.Config, `${(await img.configName()).hex}.json`);
  assert.deepEqual(m.get(entry.Config), await img.rawConfigFile());
  assert.deepEqual(entry.RepoTags, [`${host}/local/one:v1`]);
  const diffIDs = (await img.configFile()).rootfs.diff_ids.map(String);
  assert.equal(entry.Layers.length, 2);
  assert.deepEqual(
    entry.Layers.map((name) => Hash.of(m.get(name)!).toString()),
    diffIDs,
    'each layer.tar is the uncompressed layer',
  );
  const top = entry.Layers.at(-1)!.replace(/\/layer\.tar$/, '');
  assert.deepEqual(JSON.parse(m.get('repositories')!.toString()), { [`${host}/local/one`]: { v1: top } });
  for (const name of entry.Layers) assert.equal(m.get(name.replace(/layer\.tar$/, 'VERSION'))!.toString(), '1.0');
  assert.ok(![...m.keys()].some((k) => k.endsWith('.tar.gz')), 'no compressed layer files: the v1 form, not the docker tarball one');
});

test('saveOCI: creates the layout, then appends; ref is annotated (normalised) only with annotateRef', async () => {
  const path = join(dir, 'save-oci');
  const img = await crane.pull(`${host}/local/one:v1`, o);
  await crane.saveOCI(img, path, o);
  assert.equal(await readFile(join(path, 'oci-layout'), 'utf8'), '{\n    "imageLayoutVersion": "1.0.0"\n}');
  const entryOf = async (x: { mediaType(): Promise<string>; size(): Promise<number>; digest(): Promise<Hash> }) => ({
    mediaType: await x.mediaType(),
    size: await x.size(),
    digest: (await x.digest()).toString(),
  });
  const indexJson = async () => JSON.parse(await readFile(join(path, 'index.json'), 'utf8')) as { schemaVersion: number; manifests: unknown[] };
  assert.deepEqual((await indexJson()).manifests, [await entryOf(img)], 'no ref, no annotation');
  assert.deepEqual(await readFile(join(path, 'blobs', 'sha256', (await img.digest()).hex)), await img.rawManifest(), 'the manifest is stored as pulled');
  for (const l of (await img.manifest()).layers) assert.equal((await readFile(join(path, 'blobs', 'sha256', l.digest.hex))).length, l.size);

  const other = random.image(500, 1, { seed: 'save-oci-other' });
  await crane.saveOCI(other, path, { ...o, ref: 'alpine', annotateRef: true });
  const idx = await remote.index(`${host}/local/multi:v1`);
  await crane.saveOCI(idx, path, { ...o, ref: `${host}/local/multi:v1` });
  const digestRef = `${host}/local/one@${await img.digest()}`;
  await crane.saveOCI(img, path, { ...o, ref: digestRef, annotateRef: true });
  assert.deepEqual((await indexJson()).manifests, [
    await entryOf(img),
    { ...(await entryOf(other)), annotations: { [crane.REF_NAME_ANNOTATION]: 'index.docker.io/library/alpine:latest' } },
    await entryOf(idx),
    { ...(await entryOf(img)), annotations: { [crane.REF_NAME_ANNOTATION]: digestRef } },
  ]);
  await validate.index(await (await layout.imageIndexFromPath(path)).imageIndex(await idx.digest()));
  await writeFile(join(dir, 'not-a-folder'), 'x');
  await assert.rejects(crane.saveOCI(img, join(dir, 'not-a-folder'), o), { code: 'ERR_INVALID_ARGUMENT', message: /is a file, not a folder/ });
});

test('copy with one platform fetches the source index once and writes that platform\'s image', async () => {
  const arm = Platform.parse('linux/arm64');
  const src = `${host}/local/multi:v1`;
  const want = await (await remote.image(src, { ...o, platform: arm })).digest();
  seen.length = 0;
  await crane.copy(src, `${host}/local/copied-arm:v1`, { ...o, platforms: [arm] });
  const indexGets = seen.filter((s) => s === 'GET /v2/local/multi/manifests/v1');
  assert.equal(indexGets.length, 1, seen.join('\n'));
  const copied = (await remote.head(`${host}/local/copied-arm:v1`, o)).digest;
  assert.ok(copied.equals(want), `${copied} is the arm64 image ${want}`);
});
