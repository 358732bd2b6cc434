/**
 * @module OCI layouts between us and the tools that make and read them: umoci stats and unpacks
 * the layouts we write, we read and validate umoci's; skopeo inspects and copies our layouts and
 * OCI archives, and we read skopeo's `oci:` and `oci-archive:` output with every digest kept.
 */
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as random from '../../src/random/index.ts';
import * as validate from '../../src/validate/index.ts';
import * as types from '../../src/types/index.ts';
import * as empty from '../../src/empty/index.ts';
import { Hash } from '../../src/v1/hash.ts';
import { fromFileSource, imageIndexFromPath, write, writeArchiveToFile, type LayoutPath } from '../../src/layout/index.ts';
import { openTarSource } from '../../src/internal/archive/tar-source.ts';
import { findPeer } from '../harness/peers.ts';
import { headManifestDigest, startOurRegistry } from '../harness/our-registry.ts';
import * as crane from '../../src/crane/index.ts';
import { describeResult, runCommand, type CommandResult } from '../harness/run-command.ts';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.ts';
import { addImageIndex, layoutDescriptor, makeUmociImage, type LayoutDescriptor } from '../harness/umoci-image.ts';

const REF = 'org.opencontainers.image.ref.name';

interface Made {
  readonly dir: string;
  /** umoci's layout: tags `t`, `amd`, `arm` and the index `multi`. */
  readonly umociLayout: string;
  readonly t: LayoutDescriptor;
  readonly multi: string;
  /** Our layout: `rand` (a random OCI image) and `copied` (umoci's `t`, copied by us). */
  readonly ours: LayoutPath;
  readonly rand: Hash;
  readonly env: Record<string, string>;
}

let made: Promise<Made> | undefined;
let madeDir: string | undefined;

after(async () => {
  if (madeDir) await removeTempDir(madeDir);
});

/** The layouts, made once for the file; undefined when a peer is missing (the test is skipped). */
async function fixture(t: TestContext, ...peers: string[]): Promise<(Made & { readonly peers: Record<string, string> }) | undefined> {
  const paths: Record<string, string> = {};
  for (const name of ['umoci', ...peers]) {
    const p = findPeer(t, name);
    if (!p) return undefined;
    paths[name] = p;
  }
  made ??= (async () => {
    const dir = (madeDir = await makeTempDir('layout-peers'));
    const umociLayout = join(dir, 'umoci');
    const umoci = paths['umoci']!;
    const tag = await makeUmociImage(umoci, umociLayout, 't', dir, { files: { 'etc/hello.txt': 'hello from umoci\n' }, cmd: ['/bin/sh'] });
    const amd = await makeUmociImage(umoci, umociLayout, 'amd', dir, { files: { 'arch.txt': 'amd64\n' }, cmd: ['/arch'] });
    const arm = await makeUmociImage(umoci, umociLayout, 'arm', dir, { files: { 'arch.txt': 'arm64\n' }, cmd: ['/arch'], architecture: 'arm64' });
    const multi = await addImageIndex(umociLayout, 'multi', [
      { descriptor: amd, architecture: 'amd64' },
      { descriptor: arm, architecture: 'arm64' },
    ]);

    const ours = await write(join(dir, 'ours'), empty.index());
    const img = random.image(2048, 2, { seed: 'layout-peers', format: 'oci' });
    await ours.appendImage(img, { annotations: { [REF]: 'rand' } });
    const fromUmoci = await (await imageIndexFromPath(umociLayout)).image(Hash.parse(tag.digest));
    await ours.appendImage(fromUmoci, { annotations: { [REF]: 'copied' } });

    const authFile = join(dir, 'auth.json');
    await writeFile(authFile, '{}');
    return { dir, umociLayout, t: tag, multi, ours, rand: await img.digest(), env: { REGISTRY_AUTH_FILE: authFile, TMPDIR: dir } };
  })();
  return { ...(await made), peers: paths };
}

async function ok(file: string, args: string[], env: Record<string, string> = {}): Promise<CommandResult> {
  const r = await runCommand(file, args, { timeoutMs: 60_000, env });
  assert.equal(r.code, 0, describeResult(r));
  return r;
}

test('umoci stats and unpacks the layouts we write', async (t) => {
  const f = await fixture(t);
  if (!f) return;
  const umoci = f.peers['umoci']!;
  const stat = JSON.parse((await ok(umoci, ['stat', '--image', `${f.ours.path}:rand`, '--json'])).stdout) as { history: unknown[] };
  assert.equal(stat.history.length, 2, 'the history of our random image');

  const bundle = join(f.dir, 'bundle-rand');
  await ok(umoci, ['unpack', '--rootless', '--image', `${f.ours.path}:rand`, bundle]);
  const files = (await readdir(join(bundle, 'rootfs'))).filter((n) => n.startsWith('random_file_'));
  assert.equal(files.length, 2, 'one file from each layer');
  for (const name of files) assert.equal((await readFile(join(bundle, 'rootfs', name))).length, 2048);

  const copied = join(f.dir, 'bundle-copied');
  await ok(umoci, ['unpack', '--rootless', '--image', `${f.ours.path}:copied`, copied]);
  assert.equal((await readFile(join(copied, 'rootfs', 'etc', 'hello.txt'))).toString(), 'hello from umoci\n');
});

test("we read umoci's layout: every entry validates, digests as index.json names them", async (t) => {
  const f = await fixture(t);
  if (!f) return;
  const idx = await imageIndexFromPath(f.umociLayout);
  const entries = (await idx.indexManifest()).manifests;
  assert.deepEqual(entries.map((d) => d.annotations?.[REF]), ['t', 'amd', 'arm', 'multi']);
  for (const d of entries) {
    if (types.isIndex(d.mediaType)) {
      const child = await idx.imageIndex(d.digest);
      assert.equal(String(await child.digest()), f.multi);
      await validate.index(child);
    } else {
      const img = await idx.image(d.digest);
      assert.ok((await img.digest()).equals(d.digest));
      await validate.image(img);
    }
  }
  await validate.index(idx);
  // Round trip through our registry: what umoci made is served back under the same digests.
  const reg = await startOurRegistry({ mode: 'none' });
  try {
    await crane.push(idx, `${reg.host}/layout/umoci:all`);
    assert.equal(await headManifestDigest(reg.url, 'layout/umoci', 'all'), String(await idx.digest()));
    for (const d of entries) assert.equal(await headManifestDigest(reg.url, 'layout/umoci', d.digest.toString()), String(d.digest));
  } finally {
    await reg.close();
  }
});

test('skopeo inspects and copies our layout; its copy reads back with the digest kept', async (t) => {
  const f = await fixture(t, 'skopeo');
  if (!f) return;
  const skopeo = f.peers['skopeo']!;
  const info = JSON.parse((await ok(skopeo, ['inspect', `oci:${f.ours.path}:rand`], f.env)).stdout) as { Digest: string; Layers: string[] };
  assert.equal(info.Digest, String(f.rand));
  assert.equal(info.Layers.length, 2);

  const other = join(f.dir, 'skopeo-copy');
  await ok(skopeo, ['copy', `oci:${f.ours.path}:rand`, `oci:${other}:rand`], f.env);
  assert.equal((await layoutDescriptor(other, 'rand'))?.digest, String(f.rand));
  const back = await (await imageIndexFromPath(other)).image(f.rand);
  await validate.image(back);
});

test("skopeo's oci: output of umoci's images reads back with every digest kept", async (t) => {
  const f = await fixture(t, 'skopeo');
  if (!f) return;
  const skopeo = f.peers['skopeo']!;
  const dst = join(f.dir, 'skopeo-oci');
  await ok(skopeo, ['copy', `oci:${f.umociLayout}:t`, `oci:${dst}:t`], f.env);
  await ok(skopeo, ['copy', '--all', `oci:${f.umociLayout}:multi`, `oci:${dst}:multi`], f.env);
  const idx = await imageIndexFromPath(dst);
  const byName = new Map((await idx.indexManifest()).manifests.map((d) => [d.annotations?.[REF], d]));
  assert.equal(String(byName.get('t')?.digest), f.t.digest);
  assert.equal(String(byName.get('multi')?.digest), f.multi);
  await validate.index(idx);
});

test('OCI archives: skopeo reads ours, we read skopeo\'s', async (t) => {
  const f = await fixture(t, 'skopeo');
  if (!f) return;
  const skopeo = f.peers['skopeo']!;
  const ourTar = join(f.dir, 'ours.oci.tar');
  await writeArchiveToFile(ourTar, await f.ours.imageIndex());
  const info = JSON.parse((await ok(skopeo, ['inspect', `oci-archive:${ourTar}:rand`], f.env)).stdout) as { Digest: string };
  assert.equal(info.Digest, String(f.rand));
  const unpacked = join(f.dir, 'from-our-archive');
  await ok(skopeo, ['copy', `oci-archive:${ourTar}:copied`, `oci:${unpacked}:copied`], f.env);
  assert.equal((await layoutDescriptor(unpacked, 'copied'))?.digest, f.t.digest);

  const theirTar = join(f.dir, 'skopeo.oci.tar');
  await ok(skopeo, ['copy', `oci:${f.umociLayout}:t`, `oci-archive:${theirTar}:t`], f.env);
  const idx = await fromFileSource(await openTarSource(theirTar));
  const d = (await idx.indexManifest()).manifests.find((x) => x.annotations?.[REF] === 't');
  assert.equal(String(d?.digest), f.t.digest);
  await validate.index(idx);
});

test('podman loads our OCI archive; its oci-archive and oci-dir saves read back and validate', async (t) => {
  const f = await fixture(t, 'podman');
  if (!f) return;
  const podman = f.peers['podman']!;
  // podman refuses a runroot longer than 50 characters: a terse folder of its own.
  const root = await makeTempDir('pm');
  t.after(() => removeTempDir(root));
  const p = (args: string[]) =>
    ok(podman, ['--root', join(root, 'o'), '--runroot', join(root, 'r'), '--storage-driver=vfs', '--cgroup-manager=cgroupfs', '--events-backend=file', ...args], { TMPDIR: f.dir });
  const img = random.image(1024, 2, { seed: 'podman-archive', format: 'oci' });
  const lp = await write(join(f.dir, 'podman-src'), empty.index());
  await lp.appendImage(img, { annotations: { [REF]: 'localhost/ours:v1' } });
  const tar = join(f.dir, 'podman-in.tar');
  await writeArchiveToFile(tar, await lp.imageIndex());
  const loaded = await p(['load', '-i', tar]);
  assert.match(loaded.stdout, /localhost\/ours:v1/);
  const id = (await p(['image', 'inspect', '--format', '{{.Id}}', 'localhost/ours:v1'])).stdout.trim();
  assert.equal(`sha256:${id}`, String(await img.configName()), 'podman keeps our config as the image ID');

  const savedTar = join(f.dir, 'podman-saved.tar');
  const savedDir = join(f.dir, 'podman-saved-dir');
  await p(['save', '--format', 'oci-archive', '-o', savedTar, 'localhost/ours:v1']);
  await p(['save', '--format', 'oci-dir', '-o', savedDir, 'localhost/ours:v1']);
  for (const idx of [await fromFileSource(await openTarSource(savedTar)), await imageIndexFromPath(savedDir)]) {
    await validate.index(idx);
    const saved = await idx.image();
    assert.ok((await saved.configName()).equals(await img.configName()), 'same config (podman recompresses the layers)');
    assert.equal((await idx.indexManifest()).manifests[0]!.annotations?.[REF], 'localhost/ours:v1');
    // Through our registry: the manifest podman wrote is served back under its digest.
    const reg = await startOurRegistry({ mode: 'none' });
    try {
      await crane.push(saved, `${reg.host}/layout/podman:v1`);
      assert.equal(await headManifestDigest(reg.url, 'layout/podman', 'v1'), String(await saved.digest()));
    } finally {
      await reg.close();
    }
  }
});
