/**
 * @module What the tools people use write, read by our tarball reader: `docker save` (classic,
 * dockerd 20.10), `ctr images export` (OCI layout plus a docker manifest.json), `podman save` as
 * docker-archive (with its symlinked layer.tar files), multi-image docker-archive and
 * oci-archive, and `skopeo copy` to `docker-archive:` and `oci-archive:`. Every image read is
 * validated and pushed to our registry; where the format keeps the manifest its digest must
 * survive, and where it does not the config digest (the image ID) must. Images come from our
 * registry, pushed there with our remote client; one dockerd serves the whole file.
 */
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError } from '../../src/errors/index.ts';
import { createTarStream } from '../../src/internal/tar/index.ts';
import { image as randomImage, index as randomIndex } from '../../src/random/index.ts';
import * as remote from '../../src/remote/index.ts';
import { image as tarballImage, imageFromPath, imageIndexFromPath } from '../../src/tarball/image.ts';
import * as validate from '../../src/validate/index.ts';
import { Hash } from '../../src/v1/hash.ts';
import type { Image } from '../../src/v1/interfaces.ts';
import { startDockerd, type DockerDaemon } from '../harness/docker-daemon.ts';
import { headManifestDigest, startOurRegistry, type OurRegistry } from '../harness/our-registry.ts';
import { findPeer } from '../harness/peers.ts';
import { write as writeLayout, writeArchiveToFile } from '../../src/layout/index.ts';
import { writeToFile } from '../../src/tarball/index.ts';
import { index as emptyIndex } from '../../src/empty/index.ts';
import { Tag } from '../../src/name/index.ts';
import { describeResult, runCommand, type CommandResult } from '../harness/run-command.ts';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.ts';

interface World {
  readonly dir: string;
  readonly reg: OurRegistry;
  /** A Docker schema 2 image with gzip layers. */
  readonly ref: string;
  readonly digest: string;
  readonly configDigest: string;
  readonly diffIDs: readonly string[];
  /** The same kind of image with OCI media types (kept byte for byte by `oci-archive:`). */
  readonly ociRef: string;
  readonly ociDigest: string;
  /** A two-platform index and the digest of its linux/amd64 child. */
  readonly multiRef: string;
  readonly amdDigest: string;
  /** A rootfs tar for `import`, made with our tar writer. */
  readonly rootfs: string;
}

let world: Promise<World> | undefined;
let worldDir: string | undefined;

function getWorld(): Promise<World> {
  world ??= (async () => {
    const dir = (worldDir = await makeTempDir('tr'));
    const reg = await startOurRegistry({ mode: 'none' });
    const ref = `${reg.host}/tarball-read/random:v1`;
    const img = randomImage(4096, 2, { seed: 'tarball-read-peers' });
    await remote.write(ref, img);
    const ociRef = `${reg.host}/tarball-read/oci:v1`;
    const oci = randomImage(3000, 2, { seed: 'tarball-read-peers-oci', format: 'oci' });
    await remote.write(ociRef, oci);
    const multiRef = `${reg.host}/tarball-read/multi:v1`;
    const idx = randomIndex(2048, 1, 2, { seed: 'tarball-read-peers-multi', platforms: ['linux/amd64', 'linux/arm64'] });
    await remote.writeIndex(multiRef, idx);
    const amd = (await idx.indexManifest()).manifests.find((d) => d.platform?.architecture === 'amd64')!;
    const rootfs = join(dir, 'rootfs.tar');
    const chunks: Buffer[] = [];
    const entries = [
      { header: { name: 'etc/', type: 'directory' as const, mode: 0o755 } },
      { header: { name: 'etc/hello.txt', type: 'file' as const, mode: 0o644, size: 6 }, body: Buffer.from('hello\n') },
    ];
    for await (const c of createTarStream(entries)) chunks.push(c as Buffer);
    await writeFile(rootfs, Buffer.concat(chunks));
    return {
      dir,
      reg,
      ref,
      digest: (await img.digest()).toString(),
      configDigest: (await img.configName()).toString(),
      diffIDs: (await img.configFile()).rootfs.diff_ids.map((h) => h.toString()),
      ociRef,
      ociDigest: (await oci.digest()).toString(),
      multiRef,
      amdDigest: amd.digest.toString(),
      rootfs,
    };
  })();
  return world;
}

let daemon: Promise<DockerDaemon> | undefined;

after(async () => {
  const d = await daemon?.catch(() => undefined);
  await d?.stop();
  const w = await world?.catch(() => undefined);
  await w?.reg.close();
  if (worldDir) await removeTempDir(worldDir);
});

async function ok(r: Promise<CommandResult>): Promise<CommandResult> {
  const done = await r;
  assert.equal(done.code, 0, describeResult(done));
  return done;
}

/** Validates `img`, pushes it to `repo:t` of our registry, and returns the digest the registry serves. */
async function validateAndPush(w: World, img: Image, repo: string): Promise<string | undefined> {
  await validate.image(img);
  await remote.write(`${w.reg.host}/${repo}:t`, img);
  const served = await headManifestDigest(w.reg.url, repo, 't');
  assert.equal(served, (await img.digest()).toString(), 'our registry serves the manifest we read');
  return served;
}

describe('docker and ctr (one private dockerd)', () => {
  let docker: string | undefined;
  let ctr: string | undefined;
  const engine = async (t: TestContext) => {
    const dockerd = findPeer(t, 'dockerd');
    docker = dockerd && findPeer(t, 'docker');
    ctr = docker && findPeer(t, 'ctr');
    if (!ctr) return undefined;
    const w = await getWorld();
    daemon ??= startDockerd(dockerd!, join(w.dir, 'engine'));
    return { w, d: await daemon };
  };
  const dockerRun = (d: DockerDaemon, args: string[]) => runCommand(docker!, args, { timeoutMs: 120_000, env: { ...d.env } });
  const ctrRun = (d: DockerDaemon, args: string[]) => runCommand(ctr!, ['--address', d.containerdAddress, '--namespace', 'tr', ...args], { timeoutMs: 120_000 });

  test('docker save: two images, chosen by tag, config digests (image IDs) kept', async (t) => {
    const e = await engine(t);
    if (!e) return;
    const { w, d } = e;
    await ok(dockerRun(d, ['pull', w.ref]));
    const importedId = (await ok(dockerRun(d, ['import', w.rootfs, 'localhost/imported:v1']))).stdout.trim();
    const out = join(w.dir, 'docker-save.tar');
    await ok(dockerRun(d, ['save', '-o', out, w.ref, 'localhost/imported:v1']));

    const img = await imageFromPath(out, { tag: w.ref });
    assert.equal((await img.configName()).toString(), w.configDigest, 'docker keeps the config bytes: same image ID');
    await validateAndPush(w, img, 'tr/docker-save');
    const imported = await imageFromPath(out, { tag: 'localhost/imported:v1' });
    assert.equal((await imported.configName()).toString(), importedId);
    await validateAndPush(w, imported, 'tr/docker-imported');
    await assert.rejects(imageFromPath(out), InvalidArgumentError);

    // The same archive streamed from `docker save` each time it is needed, as ggcr's daemon reader does.
    const streamed = await tarballImage(async () => spawn(docker!, ['save', w.ref], { env: { ...process.env, ...d.env }, stdio: ['ignore', 'pipe', 'ignore'] }).stdout);
    assert.equal((await streamed.configName()).toString(), w.configDigest);
    assert.equal((await streamed.digest()).toString(), (await img.digest()).toString(), 'same layers, same gzip: same manifest');
  });

  test('ctr images export: the manifest containerd pulled is read back byte for byte', async (t) => {
    const e = await engine(t);
    if (!e) return;
    const { w, d } = e;
    await ok(ctrRun(d, ['images', 'pull', '--plain-http', '--snapshotter', 'native', w.ref]));
    const out = join(w.dir, 'ctr-export.tar');
    await ok(ctrRun(d, ['images', 'export', out, w.ref]));
    const img = await imageFromPath(out);
    assert.equal((await img.digest()).toString(), w.digest);
    assert.equal((await (await imageFromPath(out, { tag: w.ref })).digest()).toString(), w.digest);
    assert.equal(await validateAndPush(w, img, 'tr/ctr-export'), w.digest);

    // A multi-platform image: ctr exports the index but only this platform's blobs.
    await ok(ctrRun(d, ['images', 'pull', '--plain-http', '--snapshotter', 'native', '--platform', 'linux/amd64', w.multiRef]));
    const multiOut = join(w.dir, 'ctr-multi.tar');
    await ok(ctrRun(d, ['images', 'export', '--platform', 'linux/amd64', multiOut, w.multiRef]));
    const amd = await imageFromPath(multiOut, { tag: w.multiRef });
    assert.equal((await amd.digest()).toString(), w.amdDigest);
    await validateAndPush(w, amd, 'tr/ctr-multi');
    const idx = await imageIndexFromPath(multiOut);
    assert.equal((await idx.indexManifest()).manifests.length, 1, 'index.json names the one image exported');
  });

  test('ctr images import reads what we write: an OCI-layout archive (digest kept) and a docker tarball', async (t) => {
    const e = await engine(t);
    if (!e) return;
    const { w, d } = e;
    const img = randomImage(2500, 2, { seed: 'ctr-import', format: 'oci' });
    const archive = join(w.dir, 'ours.oci.tar');
    const name = 'containerregistry.test/ctr/ours:v1';
    // containerd names images in an OCI archive after their ref.name annotation.
    const staged = await writeLayout(join(w.dir, 'ctr-staged'), emptyIndex());
    await staged.appendImage(img, { annotations: { 'org.opencontainers.image.ref.name': name } });
    await writeArchiveToFile(archive, await staged.imageIndex());
    await ok(ctrRun(d, ['images', 'import', '--snapshotter', 'native', archive]));
    const listed = (await ok(ctrRun(d, ['images', 'ls']))).stdout;
    const row = listed.split('\n').find((l) => l.startsWith(`${name} `));
    assert.ok(row, `ctr lists ${name}:\n${listed}`);
    assert.ok(row.includes((await img.digest()).toString()), `ctr kept our manifest digest: ${row}`);

    const docker = join(w.dir, 'ours.docker.tar');
    const dockerImg = randomImage(2000, 1, { seed: 'ctr-import-docker' });
    await writeToFile(docker, Tag.parse('containerregistry.test/ctr/docker:v1'), dockerImg);
    await ok(ctrRun(d, ['images', 'import', '--snapshotter', 'native', docker]));
    const again = (await ok(ctrRun(d, ['images', 'ls']))).stdout;
    // From a docker tarball containerd writes a manifest of its own: the config and layers must be ours.
    const dockerRow = again.split('\n').find((l) => l.startsWith('containerregistry.test/ctr/docker:v1 '));
    assert.ok(dockerRow, again);
    const made = /sha256:[0-9a-f]{64}/.exec(dockerRow)![0];
    const manifest = JSON.parse((await ok(ctrRun(d, ['content', 'get', made]))).stdout) as { config: { digest: string }; layers: { digest: string }[] };
    assert.equal(manifest.config.digest, (await dockerImg.configName()).toString());
    assert.deepEqual(manifest.layers.map((l) => l.digest), (await dockerImg.manifest()).layers.map((l) => l.digest.toString()));
  });
});

describe('podman save', () => {
  const podman = (t: TestContext) => findPeer(t, 'podman');
  const run = async (bin: string, w: World, args: string[]) => {
    const root = join(w.dir, 'pm');
    const authFile = join(w.dir, 'auth.json');
    await writeFile(authFile, '{}');
    const global = ['--root', join(root, 's'), '--runroot', join(root, 'r'), '--tmpdir', join(root, 't'), '--network-config-dir', join(root, 'n'),
      '--storage-driver=vfs', '--cgroup-manager=cgroupfs', '--events-backend=file'];
    return ok(runCommand(bin, [...global, ...args], { timeoutMs: 120_000, env: { REGISTRY_AUTH_FILE: authFile, TMPDIR: w.dir } }));
  };
  let pulled: Promise<void> | undefined;
  const ready = async (t: TestContext) => {
    const bin = podman(t);
    if (!bin) return undefined;
    const w = await getWorld();
    pulled ??= (async () => {
      await run(bin, w, ['pull', '--tls-verify=false', w.ref]);
      await run(bin, w, ['import', w.rootfs, 'localhost/imported:v1']);
    })();
    await pulled;
    return { bin, w };
  };

  test('docker-archive (layer.tar files are symlinks): read through the links, image ID kept', async (t) => {
    const e = await ready(t);
    if (!e) return;
    const out = join(e.w.dir, 'podman-docker.tar');
    await run(e.bin, e.w, ['save', '--format', 'docker-archive', '-o', out, e.w.ref]);
    const img = await imageFromPath(out);
    assert.equal((await img.configName()).toString(), e.w.configDigest);
    await validateAndPush(e.w, img, 'tr/podman-docker');
  });

  test('multi-image docker-archive: each image by its tag', async (t) => {
    const e = await ready(t);
    if (!e) return;
    const out = join(e.w.dir, 'podman-multi.tar');
    await run(e.bin, e.w, ['save', '--multi-image-archive', '--format', 'docker-archive', '-o', out, e.w.ref, 'localhost/imported:v1']);
    assert.equal((await (await imageFromPath(out, { tag: e.w.ref })).configName()).toString(), e.w.configDigest);
    await validateAndPush(e.w, await imageFromPath(out, { tag: 'localhost/imported:v1' }), 'tr/podman-imported');
    await assert.rejects(imageFromPath(out), /holds 2 images/);
  });

  test('oci-archive: the manifest podman wrote is kept, as index.json names it', async (t) => {
    const e = await ready(t);
    if (!e) return;
    const out = join(e.w.dir, 'podman-oci.tar');
    await run(e.bin, e.w, ['save', '--format', 'oci-archive', '-o', out, e.w.ref]);
    const img = await imageFromPath(out, { tag: e.w.ref });
    const listed = (await (await imageIndexFromPath(out)).indexManifest()).manifests[0]!;
    assert.equal((await img.digest()).toString(), listed.digest.toString());
    assert.equal(Hash.of(await img.rawManifest()).toString(), listed.digest.toString());
    // podman rewrites the manifest and config, never the layers' contents.
    assert.deepEqual((await img.configFile()).rootfs.diff_ids.map((h) => h.toString()), e.w.diffIDs);
    await validateAndPush(e.w, img, 'tr/podman-oci');
  });
});

describe('skopeo copy', () => {
  const skopeo = async (t: TestContext, args: (w: World) => string[]) => {
    const bin = findPeer(t, 'skopeo');
    if (!bin) return undefined;
    const w = await getWorld();
    const authFile = join(w.dir, 'skopeo-auth.json');
    await writeFile(authFile, '{}');
    await ok(runCommand(bin, ['copy', '--src-tls-verify=false', ...args(w)], { timeoutMs: 120_000, env: { REGISTRY_AUTH_FILE: authFile, TMPDIR: w.dir } }));
    return w;
  };

  test('to docker-archive: read by its tag, image ID kept', async (t) => {
    const w = await skopeo(t, (x) => [`docker://${x.ref}`, `docker-archive:${join(x.dir, 'skopeo-docker.tar')}:example.com/skopeo/copy:v1`]);
    if (!w) return;
    const img = await imageFromPath(join(w.dir, 'skopeo-docker.tar'), { tag: 'example.com/skopeo/copy:v1' });
    assert.equal((await img.configName()).toString(), w.configDigest);
    await validateAndPush(w, img, 'tr/skopeo-docker');
  });

  test('to oci-archive: an OCI image keeps its manifest digest through the archive and back', async (t) => {
    const w = await skopeo(t, (x) => [`docker://${x.ociRef}`, `oci-archive:${join(x.dir, 'skopeo-oci.tar')}:example.com/skopeo/oci:v1`]);
    if (!w) return;
    const img = await imageFromPath(join(w.dir, 'skopeo-oci.tar'), { tag: 'example.com/skopeo/oci:v1' });
    assert.equal((await img.digest()).toString(), w.ociDigest);
    assert.equal(await validateAndPush(w, img, 'tr/skopeo-oci'), w.ociDigest);
  });
});
