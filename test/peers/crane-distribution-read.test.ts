/**
 * @module Our compiled `crane` CLI, run as a subprocess with a temporary `DOCKER_CONFIG`, reading
 * from the real distribution registry (2.8) with no auth, htpasswd basic auth, and token auth (our
 * token server as distribution's realm): `auth login/logout/get/token`, `digest`, `manifest`,
 * `config`, `blob`, `ls`, `catalog`, `validate --remote`, `-v`. Images come from umoci through
 * skopeo, so every byte and digest crane prints is checked against producers that are not ours.
 * stdout must be exactly crane's; every failure an exit 1 with `Error: …` on stderr.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { headManifestDigest, type AuthMode } from '../harness/our-registry.ts';
import { readLayoutBlob } from '../harness/umoci-image.ts';
import { craneHome, describeCrane } from '../harness/crane-cli.ts';
import { assertCraneError, crane, craneOk, craneWorld, PASSWORD, removeSeed, servedDigest, servedTags, USER } from '../harness/crane-world.ts';

const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

after(removeSeed);

for (const mode of ['none', 'basic', 'token'] as const satisfies readonly AuthMode[]) {
  describe(`crane CLI reads from distribution (auth: ${mode})`, () => {
    const world = craneWorld(mode);
    after(() => world.close());

    if (mode !== 'none') {
      test('crane auth login writes the Docker config; auth get reads it back; logout erases it', async (t) => {
        const w = await world.setup(t);
        if (!w) return;
        for (const r of w.logins) {
          assert.equal(r.stdout, '', describeCrane(r));
          assert.ok(r.stderr.endsWith(`logged in via ${w.home.configJson}\n`), describeCrane(r));
        }
        const config = JSON.parse(await readFile(w.home.configJson, 'utf8')) as { auths: Record<string, { auth: string }> };
        const basic = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
        assert.equal(config.auths[w.dist.host]?.auth, basic, '-p stored the password');
        assert.equal(config.auths[w.ours.host]?.auth, basic, '--password-stdin stored the password without its newline');

        const get = await craneOk(w, ['auth', 'get', w.dist.host]);
        assert.deepEqual(JSON.parse(get.stdout), { Username: USER, Secret: PASSWORD });

        // A second client logs in and out again: the entry goes, and with it the access.
        const other = await craneHome(join(w.dir, 'logout-home'));
        assert.equal((await crane(w, ['auth', 'login', w.dist.host, '-u', USER, '-p', PASSWORD], other.env)).code, 0);
        assert.equal((await crane(w, ['digest', `${w.dist.host}/crane/src:v1`], other.env)).stdout, `${w.seed.amd.descriptor.digest}\n`);
        const out = await crane(w, ['auth', 'logout', w.dist.host], other.env);
        assert.equal(out.code, 0, describeCrane(out));
        const left = JSON.parse(await readFile(other.configJson, 'utf8')) as { auths?: Record<string, unknown> };
        assert.equal(left.auths?.[w.dist.host], undefined, 'logout removed the entry');
        assertCraneError(await crane(w, ['digest', `${w.dist.host}/crane/src:v1`], other.env), /401|unauthori[sz]ed|authentication required/i);
      });
    }

    if (mode === 'none') {
      test('auth get with no credentials answers as a credential helper: the message on stdout, exit 1', async (t) => {
        const w = await world.setup(t);
        if (!w) return;
        // crane prints this on stdout, where docker's helper client looks for exactly this message
        // (docker-credential-helpers' errCredentialsNotFoundMessage) to tell "none" from a failure.
        const missing = await crane(w, ['auth', 'get', w.dist.host]);
        assert.equal(missing.code, 1, describeCrane(missing));
        assert.equal(missing.stdout, 'credentials not found in native keychain\n', describeCrane(missing));
      });
    }

    // A token exists only with token auth (ggcr's transport.Exchange refuses a Basic challenge).
    if (mode === 'token') {
      test('auth token prints a token for the repository, as JSON and with -H as a header', async (t) => {
        const w = await world.setup(t);
        if (!w) return;
        const src = `${w.dist.host}/crane/src`;
        const json = await craneOk(w, ['auth', 'token', src]);
        const token = (JSON.parse(json.stdout) as { token?: string; access_token?: string }).token;
        assert.ok(token, describeCrane(json));
        const header = await craneOk(w, ['auth', 'token', '-H', src]);
        assert.match(header.stdout, /^Authorization: Bearer \S+$/, 'one header line, no newline (crane prints it for curl -H "$(…)")');
        const authorization = header.stdout.slice('Authorization: '.length);
        assert.equal(await headManifestDigest(w.dist.url, 'crane/src', 'v1', authorization), w.seed.amd.descriptor.digest, 'the token opens the repository');
        assert.equal(await headManifestDigest(w.dist.url, 'crane/src', 'v1', `Bearer ${token}`), w.seed.amd.descriptor.digest);
      });
    }

    if (mode !== 'none') {
      test('an anonymous client and a wrong password both exit 1 with Error', async (t) => {
        const w = await world.setup(t);
        if (!w) return;
        const anonymous = await craneHome(join(w.dir, 'anonymous-home'));
        const wrong = await craneHome(join(w.dir, 'wrong-home'));
        // crane auth login stores without checking, as ggcr's does; the registry says no later.
        assert.equal((await crane(w, ['auth', 'login', w.dist.host, '-u', USER, '-p', 'wrong password'], wrong.env)).code, 0);
        const runs = await Promise.all([
          crane(w, ['digest', `${w.dist.host}/crane/src:v1`], anonymous.env),
          crane(w, ['ls', `${w.dist.host}/crane/src`], anonymous.env),
          crane(w, ['digest', `${w.dist.host}/crane/src:v1`], wrong.env),
          crane(w, ['manifest', `${w.dist.host}/crane/src:v1`], wrong.env),
          crane(w, ['copy', `${w.dist.host}/crane/src:v1`, `${w.dist.host}/crane/wrong:v1`], wrong.env),
        ]);
        for (const r of runs) assertCraneError(r, /401|unauthori[sz]ed|authentication required|denied/i);
        assert.equal(await servedDigest(w, w.dist, 'crane/wrong', 'v1'), undefined, 'nothing was written with a wrong password');
      });
    }

    test('digest: by tag, --full-ref, an index, --platform linux/arm64 and by digest', async (t) => {
      const w = await world.setup(t);
      if (!w) return;
      const { amd, arm } = w.seed;
      const src = `${w.dist.host}/crane/src`;
      const [tag, full, index, platform, platformFirst, byDigest] = await Promise.all([
        craneOk(w, ['digest', `${src}:v1`]),
        craneOk(w, ['digest', '--full-ref', `${src}:v1`]),
        craneOk(w, ['digest', `${src}:multi`]),
        craneOk(w, ['digest', '--platform', 'linux/arm64', `${src}:multi`]),
        craneOk(w, ['--platform', 'linux/ppc64le', 'digest', `${src}:multi`]),
        craneOk(w, ['digest', `${src}@${arm.descriptor.digest}`]),
      ]);
      assert.equal(tag.stdout, `${amd.descriptor.digest}\n`);
      assert.equal(full.stdout, `${src}@${amd.descriptor.digest}\n`);
      assert.equal(index.stdout, `${w.seed.multi.digest}\n`);
      assert.equal(platform.stdout, `${arm.descriptor.digest}\n`);
      assert.equal(platformFirst.stdout, `${w.seed.ppc.descriptor.digest}\n`);
      assert.equal(byDigest.stdout, `${arm.descriptor.digest}\n`);
    });

    test('manifest and config print the stored bytes exactly; blob streams bytes that hash to the digest', async (t) => {
      const w = await world.setup(t);
      if (!w) return;
      const { amd, arm } = w.seed;
      const src = `${w.dist.host}/crane/src`;
      const [manifest, index, armManifest, config, armConfig, blob] = await Promise.all([
        craneOk(w, ['manifest', `${src}:v1`]),
        craneOk(w, ['manifest', `${src}:multi`]),
        craneOk(w, ['manifest', '--platform', 'linux/arm64', `${src}:multi`]),
        craneOk(w, ['config', `${src}:v1`]),
        craneOk(w, ['config', '--platform', 'linux/arm64', `${src}:multi`]),
        craneOk(w, ['blob', `${src}@${amd.layerDigest}`]),
      ]);
      // Exactly the bytes: no newline added, no re-encoding.
      assert.ok(manifest.stdoutBytes.equals(amd.manifest), describeCrane(manifest));
      assert.ok(index.stdoutBytes.equals(w.seed.multi.raw), describeCrane(index));
      assert.ok(armManifest.stdoutBytes.equals(arm.manifest), describeCrane(armManifest));
      assert.ok(config.stdoutBytes.equals(amd.config), describeCrane(config));
      assert.equal(sha256(config.stdoutBytes), amd.configDigest);
      assert.ok(armConfig.stdoutBytes.equals(arm.config), describeCrane(armConfig));
      assert.equal(sha256(blob.stdoutBytes), amd.layerDigest, 'the blob hashes to its digest');
      assert.ok(blob.stdoutBytes.equals(await readLayoutBlob(w.seed.layout, amd.layerDigest)), 'the blob is the gzip umoci wrote');
      assert.equal(blob.stdoutBytes[0], 0x1f, 'raw gzip, not decompressed');
    });

    test('ls prints one tag a line; --full-ref names them; -O leaves out sha256- tags', async (t) => {
      const w = await world.setup(t);
      if (!w) return;
      const src = `${w.dist.host}/crane/src`;
      const sig = w.seed.signatureTag;
      const [plain, full, omit, both] = await Promise.all([
        craneOk(w, ['ls', src]),
        craneOk(w, ['ls', '--full-ref', src]),
        craneOk(w, ['ls', '-O', src]),
        craneOk(w, ['ls', '--omit-digest-tags', '--full-ref', src]),
      ]);
      // distribution 2.8 lists tags in directory order, not sorted: crane prints the registry's order.
      const order = await servedTags(w, w.dist, 'crane/src');
      assert.deepEqual([...order].sort(), ['multi', sig, 'v1', 'v2']);
      const lines = (tags: string[], prefix = '') => tags.map((t) => `${prefix}${t}\n`).join('');
      const unsigned = order.filter((t) => t !== sig);
      assert.equal(plain.stdout, lines(order));
      assert.equal(full.stdout, lines(order, `${src}:`));
      assert.equal(omit.stdout, lines(unsigned));
      assert.equal(both.stdout, lines(unsigned, `${src}:`));
    });

    test('catalog lists the repositories (in token mode through a registry:catalog:* token)', async (t) => {
      const w = await world.setup(t);
      if (!w) return;
      const [plain, full] = await Promise.all([craneOk(w, ['catalog', w.dist.host]), craneOk(w, ['catalog', '--full-ref', w.dist.host])]);
      assert.equal(plain.stdout, 'crane/scratch\ncrane/src\n');
      assert.equal(full.stdout, `${w.dist.host}/crane/scratch\n${w.dist.host}/crane/src\n`);
      if (mode === 'token') {
        assert.ok(
          w.ours.requests().some((l) => /^GET \/token\?.* 200 /.test(l) && decodeURIComponent(l).includes('scope=registry:catalog:*')),
          `crane asked our issuer for the catalog scope:\n${w.ours.requests().filter((l) => l.includes('/token')).join('\n')}`,
        );
      }
      if (mode !== 'none') {
        const anonymous = await craneHome(join(w.dir, 'catalog-anonymous'));
        assertCraneError(await crane(w, ['catalog', w.dist.host], anonymous.env), /401|unauthori[sz]ed|authentication required|denied/i);
      }
    });

    test('validate --remote passes an image and an index', async (t) => {
      const w = await world.setup(t);
      if (!w) return;
      // With auth this needs the default keychain, like every other verb (crane's validate uses it).
      const [image, index] = await Promise.all([
        craneOk(w, ['validate', '--remote', `${w.dist.host}/crane/src:v1`]),
        craneOk(w, ['validate', '--remote', `${w.dist.host}/crane/src:multi`]),
      ]);
      assert.equal(image.stdout, `PASS: ${w.dist.host}/crane/src:v1\n`);
      assert.equal(index.stdout, `PASS: ${w.dist.host}/crane/src:multi\n`);
    });

    test('missing things exit 1 with the registry\'s error code', async (t) => {
      const w = await world.setup(t);
      if (!w) return;
      const [manifest, ls, digest, config] = await Promise.all([
        crane(w, ['manifest', `${w.dist.host}/crane/src:missing`]),
        crane(w, ['ls', `${w.dist.host}/crane/nothing-here`]),
        crane(w, ['digest', `${w.dist.host}/crane/src:missing`]),
        crane(w, ['config', `${w.dist.host}/crane/nothing-here:v1`]),
      ]);
      assertCraneError(manifest, /GET .*\/v2\/crane\/src\/manifests\/missing.*MANIFEST_UNKNOWN/);
      assertCraneError(ls, /NAME_UNKNOWN/);
      // A HEAD has no body to carry a code: crane falls back to a GET, whose body names it.
      assertCraneError(digest, /MANIFEST_UNKNOWN/);
      assertCraneError(config, /MANIFEST_UNKNOWN|NAME_UNKNOWN/);
    });

    if (mode === 'none') {
      test('blob of a missing digest exits 1 with the registry\'s BLOB_UNKNOWN, as crane does', async (t) => {
        const w = await world.setup(t);
        if (!w) return;
        const zero = `sha256:${'0'.repeat(64)}`;
        const r = await crane(w, ['blob', `${w.dist.host}/crane/src@${zero}`]);
        // ggcr's crane GETs the blob and prints the registry's error:
        // `Error: GET http://HOST/v2/crane/src/blobs/sha256:000…: BLOB_UNKNOWN: blob unknown to registry; …`.
        assertCraneError(r, /BLOB_UNKNOWN/);
      });
    }

    test('-v logs the requests to stderr with no secret in them', async (t) => {
      const w = await world.setup(t);
      if (!w) return;
      const r = await craneOk(w, ['-v', 'manifest', `${w.dist.host}/crane/src:v1`]);
      assert.ok(r.stdoutBytes.equals(w.seed.amd.manifest), 'stdout stays the manifest alone');
      assert.match(r.stderr, /GET .*\/v2\/crane\/src\/manifests\/v1/, describeCrane(r));
      assert.ok(!r.stderr.includes(PASSWORD), 'no password in the log');
      assert.ok(!r.stderr.includes(Buffer.from(`${USER}:${PASSWORD}`).toString('base64')), 'no Basic credentials in the log');
      assert.doesNotMatch(r.stderr, /Bearer [A-Za-z0-9_-]{20,}\./, 'no bearer token in the log');
    });
  });
}
