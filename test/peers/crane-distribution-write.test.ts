/**
 * @module Our compiled `crane` CLI, run as a subprocess with a temporary `DOCKER_CONFIG`, writing
 * to the real distribution registry (2.8) and to our registry, with no auth, htpasswd basic auth,
 * and token auth (our token server as distribution's realm): `copy` inside distribution and
 * between the two registries both ways (`--all-tags`, `-n`, `--platform a,b`), `tag`, `delete`,
 * and `pull` (oci, tarball, legacy) from distribution with `push` back.
 * Digests are checked against what umoci made and with plain HTTP requests, not our client.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import type { AuthMode } from '../harness/our-registry.ts';
import { describeCrane } from '../harness/crane-cli.ts';
import { assertCraneError, crane, craneOk, craneWorld, removeSeed, servedDigest } from '../harness/crane-world.ts';

const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

after(removeSeed);

for (const mode of ['none', 'basic', 'token'] as const satisfies readonly AuthMode[]) {
  describe(`crane CLI writes to distribution and our registry (auth: ${mode})`, () => {
    const world = craneWorld(mode);
    after(() => world.close());

    test('copy inside distribution keeps the digest of an image and of an index with its children', async (t) => {
      const w = await world.setup(t);
      if (!w) return;
      const { host } = w.dist;
      const [image, index] = await Promise.all([
        craneOk(w, ['copy', `${host}/crane/src:v1`, `${host}/crane/copy:v1`]),
        craneOk(w, ['cp', `${host}/crane/src:multi`, `${host}/crane/copy:multi`]),
      ]);
      assert.equal(image.stdout, '', 'copy prints nothing on stdout');
      assert.equal(index.stdout, '');
      assert.equal(await servedDigest(w, w.dist, 'crane/copy', 'v1'), w.seed.amd.descriptor.digest);
      assert.equal(await servedDigest(w, w.dist, 'crane/copy', 'multi'), w.seed.multi.digest);
      for (const child of [w.seed.amd, w.seed.arm, w.seed.ppc]) {
        assert.equal(await servedDigest(w, w.dist, 'crane/copy', child.descriptor.digest), child.descriptor.digest, 'every child came along');
      }
      // crane logs to stderr what it copies.
      assert.match(image.stderr, /Copying from .*crane\/src:v1 to .*crane\/copy:v1/, describeCrane(image));
    });

    test('pull (oci, tarball, legacy) from distribution and push back: digests kept where the format keeps them', async (t) => {
      const w = await world.setup(t);
      if (!w) return;
      const { host } = w.dist;
      const layoutDir = join(w.dir, `pull-layout-${mode}`);
      const pulled = await craneOk(w, ['pull', '--format', 'oci', '--annotate-ref', `${host}/crane/src:multi`, `${host}/crane/src:v1`, layoutDir]);
      assert.equal(pulled.stdout, '', 'pull prints nothing on stdout');
      const index = JSON.parse(await readFile(join(layoutDir, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
      assert.deepEqual(index.manifests.map((m) => m.digest).sort(), [w.seed.multi.digest, w.seed.amd.descriptor.digest].sort());
      assert.ok(index.manifests.some((m) => m.annotations?.['org.opencontainers.image.ref.name'] === `${host}/crane/src:multi`));
      const pushed = await craneOk(w, ['push', '--index', layoutDir, `${host}/crane/pushed:layout`]);
      const top = `sha256:${createHash('sha256').update(await readFile(join(layoutDir, 'index.json'))).digest('hex')}`;
      assert.equal(pushed.stdout, `${host}/crane/pushed@${top}\n`);
      assert.equal(await servedDigest(w, w.dist, 'crane/pushed', w.seed.multi.digest), w.seed.multi.digest, 'the index came back whole');

      const tarball = join(w.dir, `pull-${mode}.tar`);
      await craneOk(w, ['pull', `${host}/crane/src:v1`, tarball]);
      assert.equal((await craneOk(w, ['validate', '--tarball', tarball])).stdout, `PASS: ${tarball}\n`);
      const fromTar = await craneOk(w, ['push', tarball, `${host}/crane/pushed:tarball`]);
      const d = fromTar.stdout.trim().split('@')[1]!;
      assert.equal(await servedDigest(w, w.dist, 'crane/pushed', 'tarball'), d);
      const legacy = join(w.dir, `pull-${mode}-legacy.tar`);
      await craneOk(w, ['pull', '--format', 'legacy', `${host}/crane/src:v1`, legacy]);
      assert.ok((await readFile(legacy)).includes('repositories'));
    });

    test('copy between distribution and our registry, both ways, keeps digests', async (t) => {
      const w = await world.setup(t);
      if (!w) return;
      await craneOk(w, ['copy', `${w.dist.host}/crane/src:multi`, `${w.ours.host}/crane/from-dist:multi`]);
      assert.equal(await servedDigest(w, w.ours, 'crane/from-dist', 'multi'), w.seed.multi.digest);
      await craneOk(w, ['copy', `${w.ours.host}/crane/from-dist:multi`, `${w.dist.host}/crane/back:multi`]);
      assert.equal(await servedDigest(w, w.dist, 'crane/back', 'multi'), w.seed.multi.digest);
      const back = await craneOk(w, ['manifest', `${w.dist.host}/crane/back:multi`]);
      assert.ok(back.stdoutBytes.equals(w.seed.multi.raw), 'the index made the round trip byte for byte');
      // By digest: the destination gets no tag, only the manifest.
      await craneOk(w, ['copy', `${w.dist.host}/crane/src@${w.seed.arm.descriptor.digest}`, `${w.ours.host}/crane/by-digest`]);
      assert.equal(await servedDigest(w, w.ours, 'crane/by-digest', w.seed.arm.descriptor.digest), w.seed.arm.descriptor.digest);
    });

    test('copy --all-tags copies every tag; -n refuses to clobber an existing tag', async (t) => {
      const w = await world.setup(t);
      if (!w) return;
      await craneOk(w, ['copy', '--all-tags', `${w.dist.host}/crane/src`, `${w.ours.host}/crane/all`]);
      const [srcTags, dstTags] = await Promise.all([craneOk(w, ['ls', `${w.dist.host}/crane/src`]), craneOk(w, ['ls', `${w.ours.host}/crane/all`])]);
      const sorted = (text: string) => text.trim().split('\n').sort();
      assert.deepEqual(sorted(dstTags.stdout), sorted(srcTags.stdout), 'the same tags');
      assert.equal(sorted(srcTags.stdout).length, 4);
      for (const tag of srcTags.stdout.trim().split('\n')) {
        assert.equal(await servedDigest(w, w.ours, 'crane/all', tag), await servedDigest(w, w.dist, 'crane/src', tag), `tag ${tag}`);
      }

      const clobber = await crane(w, ['copy', '-n', `${w.dist.host}/crane/src:v2`, `${w.ours.host}/crane/all:v1`]);
      assertCraneError(clobber, /refusing to clobber existing tag .*crane\/all:v1/);
      assert.equal(await servedDigest(w, w.ours, 'crane/all', 'v1'), w.seed.amd.descriptor.digest, 'the existing tag is untouched');
      await craneOk(w, ['copy', '--no-clobber', `${w.dist.host}/crane/src:v2`, `${w.ours.host}/crane/all:fresh`]);
      assert.equal(await servedDigest(w, w.ours, 'crane/all', 'fresh'), w.seed.arm.descriptor.digest, 'a new tag is fine with -n');
    });

    test('copy --platform a,b makes an index of those platforms; one --platform copies that image', async (t) => {
      const w = await world.setup(t);
      if (!w) return;
      const { amd, arm } = w.seed;
      await Promise.all([
        craneOk(w, ['copy', '--platform', 'linux/amd64,linux/arm64', `${w.dist.host}/crane/src:multi`, `${w.ours.host}/crane/two:multi`]),
        craneOk(w, ['copy', '--platform', 'linux/arm64', '--platform', 'linux/amd64', `${w.dist.host}/crane/src:multi`, `${w.dist.host}/crane/two:multi`]),
        craneOk(w, ['copy', '--platform', 'linux/arm64', `${w.dist.host}/crane/src:multi`, `${w.dist.host}/crane/arm:latest`]),
      ]);
      for (const where of [`${w.ours.host}/crane/two:multi`, `${w.dist.host}/crane/two:multi`]) {
        const raw: string = (await craneOk(w, ['manifest', where])).stdout;
        const index = JSON.parse(raw) as { manifests: { digest: string; platform: { architecture: string } }[] };
        assert.deepEqual(
          index.manifests.map((m) => [m.platform.architecture, m.digest]),
          [
            ['amd64', amd.descriptor.digest],
            ['arm64', arm.descriptor.digest],
          ],
          `${where} keeps only the two platforms, in the source's order, children unchanged`,
        );
        assert.equal((await craneOk(w, ['digest', where])).stdout, `${sha256(raw)}\n`);
        assert.equal((await craneOk(w, ['digest', '--platform', 'linux/arm64', where])).stdout, `${arm.descriptor.digest}\n`);
      }
      assert.equal(await servedDigest(w, w.dist, 'crane/arm', 'latest'), arm.descriptor.digest);
    });

    test('tag adds a tag to the same manifest', async (t) => {
      const w = await world.setup(t);
      if (!w) return;
      const r = await craneOk(w, ['tag', `${w.dist.host}/crane/scratch:v1`, 'stable']);
      assert.equal(r.stdout, '');
      assert.equal(await servedDigest(w, w.dist, 'crane/scratch', 'stable'), w.seed.amd.descriptor.digest);
      const tags = (await craneOk(w, ['ls', `${w.dist.host}/crane/scratch`])).stdout;
      assert.deepEqual(tags.trim().split('\n').sort(), ['stable', 'v1']);
    });

    test('delete by digest removes the manifest; distribution refuses a delete by tag', async (t) => {
      const w = await world.setup(t);
      if (!w) return;
      const scratch = `${w.dist.host}/crane/scratch`;
      await craneOk(w, ['copy', `${w.dist.host}/crane/src:v2`, `${scratch}:doomed`]);
      // distribution 2.8 deletes manifests by digest only (a tag gets DIGEST_INVALID); crane says so and exits 1.
      assertCraneError(await crane(w, ['delete', `${scratch}:doomed`]), /DELETE .*crane\/scratch\/manifests\/doomed/);
      const r = await craneOk(w, ['delete', `${scratch}@${w.seed.arm.descriptor.digest}`]);
      assert.equal(r.stdout, '');
      assert.equal(await servedDigest(w, w.dist, 'crane/scratch', w.seed.arm.descriptor.digest), undefined, 'the manifest is gone');
      assertCraneError(await crane(w, ['manifest', `${scratch}:doomed`]), /MANIFEST_UNKNOWN/);
      assert.equal(await servedDigest(w, w.dist, 'crane/scratch', 'v1'), w.seed.amd.descriptor.digest, 'other manifests stay');
    });
  });
}
