/**
 * @module skopeo, a real registry client (containers/image), against our registry on memory and
 * on disk storage: images umoci made go from an OCI layout into our registry and back out into
 * another layout with the manifest digest unchanged at every step; inspect, list-tags, delete and
 * a multi-arch `copy --all` behave as against distribution.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findPeer } from '../harness/peers.ts';
import { describeResult, runCommand, type CommandResult } from '../harness/run-command.ts';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.ts';
import { headManifestDigest, startOurRegistry, type OurRegistry } from '../harness/our-registry.ts';
import { addImageIndex, layoutDescriptor, makeUmociImage, readLayoutBlob, type LayoutDescriptor } from '../harness/umoci-image.ts';

const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

interface Fixture {
  readonly skopeo: string;
  readonly dir: string;
  /** The layout umoci wrote: tags `t`, `t2`, `amd`, `arm` and the index `multi`. */
  readonly layout: string;
  readonly t: LayoutDescriptor;
  readonly t2: LayoutDescriptor;
  readonly multi: string;
  readonly env: Record<string, string>;
}

let shared: Promise<Omit<Fixture, 'skopeo'>> | undefined;
let sharedDir: string | undefined;

/** The images, made once for the whole file; undefined (test skipped) when a peer is missing. */
async function fixture(t: TestContext): Promise<Fixture | undefined> {
  const skopeo = findPeer(t, 'skopeo');
  if (!skopeo) return undefined;
  const umoci = findPeer(t, 'umoci');
  if (!umoci) return undefined;
  shared ??= (async () => {
    const dir = (sharedDir = await makeTempDir('skopeo'));
    const layout = join(dir, 'layout');
    const tag = await makeUmociImage(umoci, layout, 't', dir, { files: { 'etc/hello.txt': 'hello from umoci\n' }, cmd: ['/bin/sh', '-c', 'cat /etc/hello.txt'] });
    const tag2 = await makeUmociImage(umoci, layout, 't2', dir, { files: { 'etc/other.txt': 'another image\n' }, cmd: ['/bin/true'] });
    const amd = await makeUmociImage(umoci, layout, 'amd', dir, { files: { 'arch.txt': 'amd64\n' }, cmd: ['/arch'] });
    const arm = await makeUmociImage(umoci, layout, 'arm', dir, { files: { 'arch.txt': 'arm64\n' }, cmd: ['/arch'], architecture: 'arm64' });
    const multi = await addImageIndex(layout, 'multi', [
      { descriptor: amd, architecture: 'amd64' },
      { descriptor: arm, architecture: 'arm64' },
    ]);
    // No stray credentials from the machine: an empty auth file, and temp files kept in our folder.
    const authFile = join(dir, 'auth.json');
    await writeFile(authFile, '{}');
    return { dir, layout, t: tag, t2: tag2, multi, env: { REGISTRY_AUTH_FILE: authFile, TMPDIR: dir } };
  })();
  return { skopeo, ...(await shared) };
}

after(async () => {
  if (sharedDir) await removeTempDir(sharedDir);
});

async function run(f: Fixture, args: string[]): Promise<CommandResult> {
  return runCommand(f.skopeo, args, { timeoutMs: 60_000, env: f.env });
}

async function ok(f: Fixture, args: string[]): Promise<CommandResult> {
  const r = await run(f, args);
  assert.equal(r.code, 0, describeResult(r));
  return r;
}

for (const backend of ['memory', 'disk'] as const) {
  describe(`skopeo against our registry (${backend} storage)`, () => {
    let dir: string;
    let reg: OurRegistry;

    before(async () => {
      dir = await makeTempDir(`skopeo-${backend}`);
      reg = await startOurRegistry({ mode: 'none', ...(backend === 'disk' ? { storage: { disk: join(dir, 'registry') } } : {}) });
    });
    after(async () => {
      await reg?.close();
      if (dir) await removeTempDir(dir);
    });

    let pushed: Promise<void> | undefined;
    /** Copies tags t and t2 into our registry once per backend. */
    const push = (f: Fixture) =>
      (pushed ??= (async () => {
        for (const tag of ['t', 't2']) {
          await ok(f, ['copy', '--dest-tls-verify=false', `oci:${f.layout}:${tag}`, `docker://${reg.host}/skopeo/app:${tag}`]);
        }
      })());

    test('oci layout → our registry → oci layout keeps the manifest digest and bytes', async (t) => {
      const f = await fixture(t);
      if (!f) return;
      await push(f);
      const ref = `docker://${reg.host}/skopeo/app:t`;

      const raw = await ok(f, ['inspect', '--tls-verify=false', '--raw', ref]);
      const original = await readLayoutBlob(f.layout, f.t.digest);
      assert.equal(raw.stdout, original.toString('utf8'), 'the registry serves the manifest bytes umoci wrote');
      assert.equal(sha256(raw.stdout), f.t.digest);

      const formatted = await ok(f, ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', ref]);
      assert.equal(formatted.stdout.trim(), f.t.digest);
      assert.equal(await headManifestDigest(reg.url, 'skopeo/app', 't'), f.t.digest, 'Docker-Content-Digest of HEAD');

      const back = join(dir, 'back');
      await ok(f, ['copy', '--src-tls-verify=false', ref, `oci:${back}:t`]);
      const copied = await layoutDescriptor(back, 't');
      assert.equal(copied?.digest, f.t.digest, 'index.json of the copy names the same manifest');
      assert.deepEqual(await readLayoutBlob(back, f.t.digest), original);
      const manifest = JSON.parse(original.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
      for (const blob of [manifest.config, ...manifest.layers]) {
        assert.deepEqual(await readLayoutBlob(back, blob.digest), await readLayoutBlob(f.layout, blob.digest), `blob ${blob.digest}`);
      }
    });

    test('skopeo inspect and inspect --config report what umoci built', async (t) => {
      const f = await fixture(t);
      if (!f) return;
      await push(f);
      const ref = `docker://${reg.host}/skopeo/app:t`;
      const manifest = JSON.parse((await readLayoutBlob(f.layout, f.t.digest)).toString('utf8')) as {
        config: { digest: string };
        layers: { digest: string }[];
      };

      const info = JSON.parse((await ok(f, ['inspect', '--tls-verify=false', ref])).stdout) as {
        Digest: string;
        Architecture: string;
        Os: string;
        Layers: string[];
        Name: string;
      };
      assert.equal(info.Digest, f.t.digest);
      assert.equal(info.Name, `${reg.host}/skopeo/app`);
      assert.equal(info.Architecture, 'amd64');
      assert.equal(info.Os, 'linux');
      assert.deepEqual(info.Layers, manifest.layers.map((l) => l.digest));

      const rawConfig = await ok(f, ['inspect', '--tls-verify=false', '--config', '--raw', ref]);
      assert.equal(sha256(rawConfig.stdout), manifest.config.digest, 'config bytes served unchanged');
      const config = JSON.parse((await ok(f, ['inspect', '--tls-verify=false', '--config', ref])).stdout) as { config?: { Cmd?: string[] } };
      assert.deepEqual(config.config?.Cmd, ['/bin/sh', '-c', 'cat /etc/hello.txt']);
    });

    test('skopeo list-tags lists exactly the pushed tags', async (t) => {
      const f = await fixture(t);
      if (!f) return;
      await push(f);
      const r = await ok(f, ['list-tags', '--tls-verify=false', `docker://${reg.host}/skopeo/app`]);
      const listed = JSON.parse(r.stdout) as { Repository: string; Tags: string[] };
      assert.equal(listed.Repository, `${reg.host}/skopeo/app`);
      assert.deepEqual([...listed.Tags].sort(), ['t', 't2']);
    });

    test('skopeo delete removes the manifest: its tag is gone, the other stays', async (t) => {
      const f = await fixture(t);
      if (!f) return;
      await push(f);
      // A repository of its own, so the other tests' tags are not disturbed.
      for (const tag of ['keep', 'drop']) {
        const source = tag === 'keep' ? 't' : 't2';
        await ok(f, ['copy', '--dest-tls-verify=false', `oci:${f.layout}:${source}`, `docker://${reg.host}/skopeo/deleted:${tag}`]);
      }
      await ok(f, ['delete', '--tls-verify=false', `docker://${reg.host}/skopeo/deleted:drop`]);

      const gone = await run(f, ['inspect', '--tls-verify=false', '--raw', `docker://${reg.host}/skopeo/deleted:drop`]);
      assert.notEqual(gone.code, 0, `inspecting a deleted tag must fail\n${describeResult(gone)}`);
      assert.match(gone.stderr, /manifest unknown|not found/i, describeResult(gone));
      assert.equal(await headManifestDigest(reg.url, 'skopeo/deleted', f.t2.digest), undefined, 'the manifest is gone by digest too');

      const listed = JSON.parse((await ok(f, ['list-tags', '--tls-verify=false', `docker://${reg.host}/skopeo/deleted`])).stdout) as { Tags: string[] };
      assert.deepEqual(listed.Tags, ['keep']);
      const kept = await ok(f, ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${reg.host}/skopeo/deleted:keep`]);
      assert.equal(kept.stdout.trim(), f.t.digest);
    });

    test('skopeo copy --all carries a multi-arch index through with every digest unchanged', async (t) => {
      const f = await fixture(t);
      if (!f) return;
      const ref = `docker://${reg.host}/skopeo/multi:m`;
      await ok(f, ['copy', '--all', '--dest-tls-verify=false', `oci:${f.layout}:multi`, ref]);

      const raw = await ok(f, ['inspect', '--tls-verify=false', '--raw', ref]);
      assert.equal(sha256(raw.stdout), f.multi, 'the index is stored byte for byte');
      const index = JSON.parse(raw.stdout) as { manifests: { digest: string; platform: { architecture: string } }[] };
      assert.deepEqual(index.manifests.map((m) => m.platform.architecture), ['amd64', 'arm64']);
      for (const child of index.manifests) {
        assert.equal(await headManifestDigest(reg.url, 'skopeo/multi', child.digest), child.digest, `child ${child.platform.architecture}`);
      }
      // Without --all, skopeo resolves the index to one platform's image through our registry.
      const armChild = index.manifests[1]!;
      const armManifest = JSON.parse((await ok(f, ['inspect', '--tls-verify=false', '--raw', `docker://${reg.host}/skopeo/multi@${armChild.digest}`])).stdout) as {
        layers: { digest: string }[];
      };
      const arm = JSON.parse((await ok(f, ['inspect', '--tls-verify=false', '--override-arch', 'arm64', ref])).stdout) as { Architecture: string; Layers: string[] };
      assert.equal(arm.Architecture, 'arm64');
      assert.deepEqual(arm.Layers, armManifest.layers.map((l) => l.digest));

      const back = join(dir, 'multi-back');
      await ok(f, ['copy', '--all', '--src-tls-verify=false', ref, `oci:${back}:m`]);
      assert.equal((await layoutDescriptor(back, 'm'))?.digest, f.multi);
      for (const child of index.manifests) {
        assert.equal(sha256(await readLayoutBlob(back, child.digest)), child.digest);
      }
    });
  });
}
