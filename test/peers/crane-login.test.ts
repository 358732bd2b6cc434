/**
 * @module One credential store for crane, docker and podman, against the real distribution
 * registry with htpasswd basic auth and with token auth (our token server as its realm): what
 * `crane auth login` writes, `docker pull`/`push` (through `DOCKER_CONFIG`) and `podman pull`
 * (through `--authfile` on the same config.json) use; and what `docker login` and `podman login`
 * write, `crane ls`/`digest`/`manifest` use. Controls: the same peers with an empty config are
 * refused, and `crane auth logout` takes docker's access away again.
 */
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findPeer } from '../harness/peers.ts';
import { describeResult, runCommand, type CommandResult } from '../harness/run-command.ts';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.ts';
import { startDistribution, type DistributionRegistry } from '../harness/distribution-registry.ts';
import { startDockerd, type DockerDaemon } from '../harness/docker-daemon.ts';
import { htpasswdLines, startOurRegistry, type OurRegistry } from '../harness/our-registry.ts';
import { makeUmociImage, readLayoutBlob, type LayoutDescriptor } from '../harness/umoci-image.ts';
import { craneHome, describeCrane, runCrane, type CraneHome } from '../harness/crane-cli.ts';

const USER = 'alice';
const PASSWORD = 'shared secret';
const SERVICE = 'test-registry';
const ISSUER = 'test-issuer';
const REPO = 'login/app';

/** Made once for the file: an umoci image, and a private dockerd (started on first use). */
interface Shared {
  readonly dir: string;
  readonly layout: string;
  readonly image: LayoutDescriptor;
}

let fileDir: string | undefined;
let shared: Promise<Shared> | undefined;
let daemon: Promise<DockerDaemon> | undefined;

function getShared(umoci: string): Promise<Shared> {
  shared ??= (async () => {
    const dir = (fileDir = await makeTempDir('cl'));
    const layout = join(dir, 'layout');
    const image = await makeUmociImage(umoci, layout, 'app', dir, { files: { 'etc/motd': 'logged in by crane\n' }, cmd: ['/bin/cat', '/etc/motd'] });
    return { dir, layout, image };
  })();
  return shared;
}

function getDaemon(dockerd: string, dir: string): Promise<DockerDaemon> {
  daemon ??= startDockerd(dockerd, join(dir, 'engine'));
  return daemon;
}

after(async () => {
  const d = await daemon?.catch(() => undefined);
  await d?.stop();
  if (fileDir) await removeTempDir(fileDir);
});

/** podman with all its state under `root` (PEERS.md's flags); `root` must be short (runroot ≤ 50 characters). */
function podmanAt(podman: string, root: string) {
  const runroot = join(root, 'r');
  if (runroot.length > 50) throw new Error(`podman runroot ${runroot} is longer than podman allows (50)`);
  const global = [
    '--root', join(root, 's'),
    '--runroot', runroot,
    '--tmpdir', join(root, 't'),
    '--network-config-dir', join(root, 'n'),
    '--storage-driver=vfs',
    '--cgroup-manager=cgroupfs',
    '--events-backend=file',
  ];
  return (args: string[], options: { env?: Record<string, string>; input?: string } = {}) =>
    runCommand(podman, [...global, ...args], { timeoutMs: 90_000, env: { TMPDIR: root, ...options.env }, ...(options.input !== undefined ? { input: options.input } : {}) });
}

const okResult = (r: CommandResult, context = '') => assert.equal(r.code, 0, `${describeResult(r)}${context}`);

for (const mode of ['basic', 'token'] as const) {
  describe(`crane auth login and docker/podman share credentials (distribution, auth: ${mode})`, () => {
    let world: Promise<{ s: Shared; dist: DistributionRegistry; ours: OurRegistry; dir: string }> | undefined;
    const stops: (() => Promise<void>)[] = [];
    after(async () => {
      await world?.catch(() => undefined);
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
    });

    const peers = ['docker-registry', 'htpasswd', 'skopeo', 'umoci', 'dockerd', 'docker', 'podman'] as const;
    type Peers = Record<(typeof peers)[number], string>;

    /** The registry with the image skopeo pushed; undefined when a peer is missing (skipped). */
    async function setup(t: TestContext) {
      const paths: Partial<Peers> = {};
      for (const p of peers) {
        const found = findPeer(t, p);
        if (!found) return undefined;
        paths[p] = found;
      }
      const p = paths as Peers;
      world ??= (async () => {
        const s = await getShared(p.umoci);
        const dir = join(s.dir, mode);
        const lines = await htpasswdLines(p.htpasswd, { [USER]: PASSWORD });
        const ours = await startOurRegistry({ mode, htpasswdLines: lines, token: { service: SERVICE, issuer: ISSUER, keyType: 'rsa' } });
        stops.push(() => ours.close());
        await mkdir(dir, { recursive: true });
        let auth: Parameters<typeof startDistribution>[2];
        if (mode === 'basic') {
          await writeFile(join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
          auth = { auth: { htpasswd: join(dir, 'htpasswd') } };
        } else {
          await writeFile(join(dir, 'cert.pem'), ours.tokenServer!.signingKey.certPem);
          // A name, not 127.0.0.1: crane (like ggcr, #2258) refuses realms on other loopback IP literals.
          const realm = `http://localhost:${new URL(ours.url).port}/token`;
          auth = { auth: { token: { realm, service: SERVICE, issuer: ISSUER, rootCertBundle: join(dir, 'cert.pem') } } };
        }
        const dist = await startDistribution(p['docker-registry'], dir, auth);
        stops.push(() => dist.stop());
        await writeFile(join(dir, 'skopeo-auth.json'), '{}');
        const r = await runCommand(
          p.skopeo,
          ['copy', '--dest-tls-verify=false', '--dest-creds', `${USER}:${PASSWORD}`, `oci:${s.layout}:app`, `docker://${dist.host}/${REPO}:v1`],
          { env: { REGISTRY_AUTH_FILE: join(dir, 'skopeo-auth.json'), TMPDIR: dir }, timeoutMs: 60_000 },
        );
        okResult(r, `\n${dist.process.log().slice(-2000)}`);
        return { s, dist, ours, dir };
      })();
      return { p, ...(await world) };
    }

    const docker = (e: DockerDaemon, p: Peers, home: CraneHome, args: string[], input?: string) =>
      runCommand(p.docker, args, {
        timeoutMs: 90_000,
        // The CLI reads credentials from DOCKER_CONFIG and hands them to the daemon.
        env: { DOCKER_HOST: e.host, DOCKER_CONFIG: home.dockerConfig },
        ...(input !== undefined ? { input } : {}),
      });

    test('crane auth login, then docker pull and push with the same DOCKER_CONFIG; logout takes it away', async (t) => {
      const w = await setup(t);
      if (!w) return;
      const e = await getDaemon(w.p.dockerd, w.s.dir);
      const home = await craneHome(join(w.dir, 'crane-docker'));
      const login = await runCrane(['auth', 'login', w.dist.host, '-u', USER, '--password-stdin'], { env: home.env, input: PASSWORD });
      assert.equal(login.code, 0, describeCrane(login));

      const ref = `${w.dist.host}/${REPO}:v1`;
      const pull = await docker(e, w.p, home, ['pull', ref]);
      okResult(pull, `\ndistribution log:\n${w.dist.process.log().slice(-1500)}`);
      assert.match(pull.stdout, new RegExp(`Digest: ${w.s.image.digest}`), 'docker pulled the manifest skopeo pushed');

      // Writing with crane's credentials too.
      const pushed = `${w.dist.host}/login/docker-pushed:v1`;
      okResult(await docker(e, w.p, home, ['tag', ref, pushed]));
      okResult(await docker(e, w.p, home, ['push', pushed]));
      const ls = await runCrane(['ls', `${w.dist.host}/login/docker-pushed`], { env: home.env });
      assert.equal(ls.stdout, 'v1\n', describeCrane(ls));

      const out = await runCrane(['auth', 'logout', w.dist.host], { env: home.env });
      assert.equal(out.code, 0, describeCrane(out));
      // By tag: docker must ask the registry (an image it has by digest it would not ask for).
      const denied = await docker(e, w.p, home, ['pull', ref]);
      assert.notEqual(denied.code, 0, `after crane auth logout docker must be refused\n${describeResult(denied)}`);
      assert.match(denied.stderr, /no basic auth credentials|unauthorized|authentication required|denied/i, describeResult(denied));
    });

    test('crane auth login, then podman pull with --authfile and REGISTRY_AUTH_FILE on the same config.json', async (t) => {
      const w = await setup(t);
      if (!w) return;
      const home = await craneHome(join(w.dir, 'cp'));
      const login = await runCrane(['auth', 'login', w.dist.host, '-u', USER, '-p', PASSWORD], { env: home.env });
      assert.equal(login.code, 0, describeCrane(login));
      const ref = `${w.dist.host}/${REPO}:v1`;

      const withFlag = podmanAt(w.p.podman, join(w.dir, 'p1'));
      okResult(await withFlag(['pull', '--tls-verify=false', '--authfile', home.configJson, ref]));
      const inspected = JSON.parse((await withFlag(['image', 'inspect', ref])).stdout) as { Digest: string }[];
      assert.equal(inspected[0]?.Digest, w.s.image.digest);

      const withEnv = podmanAt(w.p.podman, join(w.dir, 'p2'));
      okResult(await withEnv(['pull', '--tls-verify=false', ref], { env: { REGISTRY_AUTH_FILE: home.configJson } }));

      // Control: the same pull with an empty auth file is refused.
      const empty = join(w.dir, 'empty-auth.json');
      await writeFile(empty, '{}');
      const anonymous = podmanAt(w.p.podman, join(w.dir, 'p3'));
      const refused = await anonymous(['pull', '--tls-verify=false', '--authfile', empty, ref]);
      assert.notEqual(refused.code, 0, `podman without credentials must be refused\n${describeResult(refused)}`);
      assert.match(refused.stderr, /unauthorized|authentication required|denied/i, describeResult(refused));
    });

    test('docker login, then crane ls, digest and manifest with the same DOCKER_CONFIG', async (t) => {
      const w = await setup(t);
      if (!w) return;
      const e = await getDaemon(w.p.dockerd, w.s.dir);
      const home = await craneHome(join(w.dir, 'docker-crane'));
      const anonymous = await runCrane(['ls', `${w.dist.host}/${REPO}`], { env: home.env });
      assert.equal(anonymous.code, 1, `before docker login crane is refused\n${describeCrane(anonymous)}`);

      okResult(await docker(e, w.p, home, ['login', '--username', USER, '--password-stdin', w.dist.host], PASSWORD));
      const stored = JSON.parse(await readFile(home.configJson, 'utf8')) as { auths: Record<string, { auth?: string; identitytoken?: string }> };
      const entry = stored.auths[w.dist.host];
      assert.ok(entry?.auth || entry?.identitytoken, `docker login stored credentials for ${w.dist.host}: ${JSON.stringify(Object.keys(stored.auths))}`);
      t.diagnostic(`docker login stored ${entry?.identitytoken ? 'an identity token' : 'user and password'} for ${mode} auth`);
      const oauthPosts = () => w.ours.requests().filter((l) => /^POST \/token\b.* 200 /.test(l)).length;
      const postsBefore = oauthPosts();

      const [ls, digest, manifest] = await Promise.all([
        runCrane(['ls', `${w.dist.host}/${REPO}`], { env: home.env }),
        runCrane(['digest', `${w.dist.host}/${REPO}:v1`], { env: home.env }),
        runCrane(['manifest', `${w.dist.host}/${REPO}:v1`], { env: home.env }),
      ]);
      assert.equal(ls.stdout, 'v1\n', describeCrane(ls));
      assert.equal(digest.stdout, `${w.s.image.digest}\n`, describeCrane(digest));
      assert.equal(manifest.code, 0, describeCrane(manifest));
      assert.ok(manifest.stdoutBytes.equals(await readLayoutBlob(w.s.layout, w.s.image.digest)), 'the manifest umoci wrote, byte for byte');
      if (mode === 'token') {
        // dockerd logs in with OAuth2 and keeps the refresh token: crane then trades it at the realm
        // (grant_type=refresh_token), the identity-token path of the spec.
        assert.ok(entry?.identitytoken, 'docker stored an identity token');
        assert.ok(
          oauthPosts() > postsBefore,
          `crane traded the refresh token at our /token:\n${w.ours.requests().filter((l) => l.includes('/token')).join('\n')}`,
        );
      }
      const get = await runCrane(['auth', 'get', w.dist.host], { env: home.env });
      assert.equal(get.code, 0, describeCrane(get));
      assert.equal((JSON.parse(get.stdout) as { Username: string }).Username, entry?.identitytoken ? '<token>' : USER);
    });

    test('podman login (its auth.json, and the Docker config.json), then crane digest', async (t) => {
      const w = await setup(t);
      if (!w) return;
      const ref = `${w.dist.host}/${REPO}:v1`;
      const podman = podmanAt(w.p.podman, join(w.dir, 'pl'));

      // podman's own file, found by crane through REGISTRY_AUTH_FILE with an empty Docker config.
      const home = await craneHome(join(w.dir, 'podman-crane'));
      const authJson = join(w.dir, 'podman-auth.json');
      await writeFile(authJson, '{}');
      okResult(await podman(['login', '--tls-verify=false', '--authfile', authJson, '-u', USER, '--password-stdin', w.dist.host], { input: PASSWORD }));
      const viaEnv = await runCrane(['digest', ref], { env: { ...home.env, REGISTRY_AUTH_FILE: authJson } });
      assert.equal(viaEnv.stdout, `${w.s.image.digest}\n`, describeCrane(viaEnv));
      const withoutIt = await runCrane(['digest', ref], { env: home.env });
      assert.equal(withoutIt.code, 1, `without the auth file crane is refused\n${describeCrane(withoutIt)}`);

      // podman writing into Docker's config.json: crane reads it through DOCKER_CONFIG.
      const shared = await craneHome(join(w.dir, 'podman-docker'));
      await writeFile(shared.configJson, '{}');
      okResult(await podman(['login', '--tls-verify=false', '--authfile', shared.configJson, '-u', USER, '-p', PASSWORD, w.dist.host]));
      const viaDockerConfig = await runCrane(['manifest', ref], { env: shared.env });
      assert.equal(viaDockerConfig.code, 0, describeCrane(viaDockerConfig));
      assert.ok(viaDockerConfig.stdoutBytes.equals(await readLayoutBlob(w.s.layout, w.s.image.digest)), 'the manifest umoci wrote');
    });
  });
}
