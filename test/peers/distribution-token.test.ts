/**
 * @module Our token server as the issuer of a real distribution registry (2.8): distribution is
 * configured with `auth.token` whose realm is our `/token` and whose `rootcertbundle` is our
 * signing certificate, and skopeo logs in through it to push and pull. Run with an RSA (RS256)
 * and an EC (ES256) key. Controls show distribution really checks: a wrong password, an anonymous
 * client, a token from another key and a token for another audience are all refused.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findPeer, which } from '../harness/peers.ts';
import { describeResult, runCommand, type CommandResult } from '../harness/run-command.ts';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.ts';
import { startDistribution, type DistributionRegistry } from '../harness/distribution-registry.ts';
import { headManifestDigest, htpasswdLines, startOurRegistry, type OurRegistry } from '../harness/our-registry.ts';
import { layoutDescriptor, makeUmociImage, readLayoutBlob, type LayoutDescriptor } from '../harness/umoci-image.ts';
import { parseAuthConfig } from '../../src/registry/auth/access.ts';
import { createTokenServer } from '../../src/registry/auth/token-server.ts';

const USER = 'alice';
const PASSWORD = 'token-secret';
const SERVICE = 'test-registry';
const ISSUER = 'test-issuer';

const sha256 = (bytes: string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

interface Fixture {
  readonly skopeo: string;
  readonly layout: string;
  readonly image: LayoutDescriptor;
  readonly env: Record<string, string>;
}

let fileDir: string | undefined;
let shared: Promise<Omit<Fixture, 'skopeo'>> | undefined;

async function fixture(t: TestContext): Promise<Fixture | undefined> {
  for (const peer of ['docker-registry', 'htpasswd']) if (!findPeer(t, peer)) return undefined;
  const skopeo = findPeer(t, 'skopeo');
  if (!skopeo) return undefined;
  const umoci = findPeer(t, 'umoci');
  if (!umoci) return undefined;
  shared ??= (async () => {
    const dir = (fileDir = await makeTempDir('dist-token'));
    const layout = join(dir, 'layout');
    const image = await makeUmociImage(umoci, layout, 't', dir, { files: { 'etc/motd': 'pushed into distribution\n' }, cmd: ['/bin/cat', '/etc/motd'] });
    const authFile = join(dir, 'auth.json');
    await writeFile(authFile, '{}');
    return { layout, image, env: { REGISTRY_AUTH_FILE: authFile, TMPDIR: dir } };
  })();
  return { skopeo, ...(await shared) };
}

after(async () => {
  if (fileDir) await removeTempDir(fileDir);
});

function skopeo(f: Fixture, args: string[]): Promise<CommandResult> {
  return runCommand(f.skopeo, args, { timeoutMs: 60_000, env: f.env });
}

async function skopeoOk(f: Fixture, args: string[], dist: DistributionRegistry): Promise<CommandResult> {
  const r = await skopeo(f, args);
  assert.equal(r.code, 0, `${describeResult(r)}\ndistribution log:\n${dist.process.log().slice(-3000)}`);
  return r;
}

for (const keyType of ['rsa', 'ec'] as const) {
  const alg = keyType === 'rsa' ? 'RS256' : 'ES256';
  describe(`distribution trusts our token server (${alg})`, () => {
    let dir: string | undefined;
    let issuer: OurRegistry | undefined;
    let dist: DistributionRegistry | undefined;
    const repo = `dist/${keyType}`;

    before(async () => {
      const htpasswd = which('htpasswd');
      const registry = which('docker-registry');
      // Without them the tests skip (or fail under REQUIRE_PEERS) through findPeer.
      if (!htpasswd || !registry) return;
      dir = await makeTempDir(`dist-${keyType}`);
      issuer = await startOurRegistry({
        mode: 'token',
        htpasswdLines: await htpasswdLines(htpasswd, { [USER]: PASSWORD }),
        token: { service: SERVICE, issuer: ISSUER, keyType },
      });
      const certFile = join(dir, 'token-cert.pem');
      await writeFile(certFile, issuer.tokenServer!.signingKey.certPem);
      dist = await startDistribution(registry, dir, {
        auth: { token: { realm: `${issuer.url}/token`, service: SERVICE, issuer: ISSUER, rootCertBundle: certFile } },
      });
    });
    after(async () => {
      await dist?.stop();
      await issuer?.close();
      if (dir) await removeTempDir(dir);
    });

    let pushed: Promise<void> | undefined;
    const push = (f: Fixture) =>
      (pushed ??= (async () => {
        await skopeoOk(
          f,
          ['copy', '--dest-tls-verify=false', '--dest-creds', `${USER}:${PASSWORD}`, `oci:${f.layout}:t`, `docker://${dist!.host}/${repo}:t`],
          dist!,
        );
      })());

    test(`the signing key is ${alg}`, (t) => {
      if (!findPeer(t, 'htpasswd') || !findPeer(t, 'docker-registry')) return;
      assert.equal(issuer?.tokenServer?.signingKey.alg, alg);
    });

    test('skopeo pushes into distribution with our tokens and reads the same digest back', async (t) => {
      const f = await fixture(t);
      if (!f) return;
      await push(f);
      const ref = `docker://${dist!.host}/${repo}:t`;
      const creds = ['--creds', `${USER}:${PASSWORD}`];
      const raw = await skopeoOk(f, ['inspect', '--tls-verify=false', ...creds, '--raw', ref], dist!);
      assert.equal(sha256(raw.stdout), f.image.digest);
      assert.equal(raw.stdout, (await readLayoutBlob(f.layout, f.image.digest)).toString('utf8'));

      const back = join(dir!, 'back');
      await skopeoOk(f, ['copy', '--src-tls-verify=false', '--src-creds', `${USER}:${PASSWORD}`, ref, `oci:${back}:t`], dist!);
      assert.equal((await layoutDescriptor(back, 't'))?.digest, f.image.digest);

      // The tokens came from our issuer, asked for by distribution's challenge.
      const issued = issuer!.requests().filter((l) => /^(GET|POST) \/token\?.*service=test-registry.* 200 /.test(l));
      assert.ok(issued.length > 0, `skopeo fetched tokens from our /token:\n${issuer!.requests().join('\n')}`);
    });

    test('a wrong password gets no token and distribution refuses the client', async (t) => {
      const f = await fixture(t);
      if (!f) return;
      await push(f);
      const r = await skopeo(f, ['inspect', '--tls-verify=false', '--creds', `${USER}:wrong`, '--raw', `docker://${dist!.host}/${repo}:t`]);
      assert.notEqual(r.code, 0, `a wrong password must fail\n${describeResult(r)}`);
      assert.match(r.stderr, /invalid username|unauthorized/i, describeResult(r));
      assert.ok(issuer!.requests().some((l) => /^GET \/token\?.* 401 /.test(l)), 'our /token said 401');

      const copy = await skopeo(f, ['copy', '--dest-tls-verify=false', '--dest-creds', `${USER}:wrong`, `oci:${f.layout}:t`, `docker://${dist!.host}/${repo}:wrong`]);
      assert.notEqual(copy.code, 0, `a push with a wrong password must fail\n${describeResult(copy)}`);
    });

    test('an anonymous client is refused', async (t) => {
      const f = await fixture(t);
      if (!f) return;
      await push(f);
      const r = await skopeo(f, ['inspect', '--tls-verify=false', '--raw', `docker://${dist!.host}/${repo}:t`]);
      assert.notEqual(r.code, 0, `anonymous read must fail\n${describeResult(r)}`);
      assert.match(r.stderr, /denied|unauthorized|authentication required/i, describeResult(r));
    });

    test('distribution checks signature and audience: only our key and our service pass', async (t) => {
      const f = await fixture(t);
      if (!f) return;
      await push(f);
      const scopes = [{ type: 'repository', name: repo, actions: ['pull'] }];
      const ours = issuer!.tokenServer!.issue(USER, scopes).token;
      assert.equal(await headManifestDigest(dist!.url, repo, 't', `Bearer ${ours}`), f.image.digest, 'a token of ours opens the manifest');

      const config = await parseAuthConfig({ users: {} }, dir!);
      const otherKey = await createTokenServer({ config, service: SERVICE, issuer: ISSUER, key: { keyType } });
      const forged = otherKey.issue(USER, scopes).token;
      assert.equal(await headManifestDigest(dist!.url, repo, 't', `Bearer ${forged}`), undefined, 'a token from a key distribution does not trust');

      const otherService = await createTokenServer({ config, service: 'another-registry', issuer: ISSUER, signingKey: issuer!.tokenServer!.signingKey });
      const elsewhere = otherService.issue(USER, scopes).token;
      assert.equal(await headManifestDigest(dist!.url, repo, 't', `Bearer ${elsewhere}`), undefined, 'a token for another audience');
    });

    test('skopeo delete through a token with the delete action', async (t) => {
      const f = await fixture(t);
      if (!f) return;
      await push(f);
      await skopeoOk(
        f,
        ['copy', '--dest-tls-verify=false', '--dest-creds', `${USER}:${PASSWORD}`, `oci:${f.layout}:t`, `docker://${dist!.host}/${repo}-del:t`],
        dist!,
      );
      await skopeoOk(f, ['delete', '--tls-verify=false', '--creds', `${USER}:${PASSWORD}`, `docker://${dist!.host}/${repo}-del:t`], dist!);
      const gone = await skopeo(f, ['inspect', '--tls-verify=false', '--creds', `${USER}:${PASSWORD}`, '--raw', `docker://${dist!.host}/${repo}-del:t`]);
      assert.notEqual(gone.code, 0, `the deleted manifest must be gone\n${describeResult(gone)}`);
      assert.match(gone.stderr, /manifest unknown|not found/i, describeResult(gone));
    });
  });
}
