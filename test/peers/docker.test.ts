/**
 * @module The Docker Engine and containerd's `ctr` against our registry in each auth mode: an
 * image made by `docker import` is pushed, removed and pulled back; the digest docker reports on
 * push, the `RepoDigests` after the pull and our registry's `Docker-Content-Digest` agree, and
 * the pulled image has the imported image's ID. `docker login` works with basic and token auth
 * and refuses a wrong password; anonymous pulls and pushes are refused. One private dockerd (vfs,
 * no iptables, its own socket and data root) serves the whole file.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findPeer, which } from '../harness/peers.ts';
import { describeResult, mustRun, runCommand, type CommandResult } from '../harness/run-command.ts';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.ts';
import { startDockerd, type DockerDaemon } from '../harness/docker-daemon.ts';
import { headManifestDigest, htpasswdLines, pullAuthorization, startOurRegistry, type AuthMode, type OurRegistry } from '../harness/our-registry.ts';

const USER = 'alice';
const PASSWORD = 'docker-secret';

interface Engine {
  readonly docker: string;
  readonly ctr: string;
  readonly daemon: DockerDaemon;
  /** A small tar to `docker import`. */
  readonly tarball: string;
}

let fileDir: string | undefined;
let engine: Promise<Omit<Engine, 'docker' | 'ctr'>> | undefined;

/** The file's one dockerd and the tar to import, started on first use; undefined when skipped. */
async function getEngine(t: TestContext): Promise<Engine | undefined> {
  const dockerd = findPeer(t, 'dockerd');
  if (!dockerd) return undefined;
  const docker = findPeer(t, 'docker');
  if (!docker) return undefined;
  const ctr = findPeer(t, 'ctr');
  if (!ctr) return undefined;
  const tar = findPeer(t, 'tar');
  if (!tar) return undefined;
  engine ??= (async () => {
    const dir = (fileDir = await makeTempDir('docker'));
    const content = join(dir, 'content');
    await mkdir(join(content, 'etc'), { recursive: true });
    await writeFile(join(content, 'etc', 'hello.txt'), 'hello from docker import\n');
    await writeFile(join(content, 'README'), 'a tiny image\n');
    const tarball = join(dir, 'small.tar');
    await mustRun(tar, ['-C', content, '-cf', tarball, '.'], { timeoutMs: 20_000 });
    const daemon = await startDockerd(dockerd, join(dir, 'engine'));
    return { daemon, tarball };
  })();
  return { docker, ctr, ...(await engine) };
}

after(async () => {
  // Stop the daemon even if the test that started it failed half-way.
  const started = await engine?.catch(() => undefined);
  await started?.daemon.stop();
  if (fileDir) await removeTempDir(fileDir);
});

function docker(e: Engine, args: string[], input?: string): Promise<CommandResult> {
  return runCommand(e.docker, args, { timeoutMs: 90_000, env: { ...e.daemon.env }, ...(input !== undefined ? { input } : {}) });
}

async function dockerOk(e: Engine, args: string[], input?: string): Promise<CommandResult> {
  const r = await docker(e, args, input);
  assert.equal(r.code, 0, `${describeResult(r)}\ndockerd log:\n${e.daemon.process.log().slice(-2000)}`);
  return r;
}

function ctr(e: Engine, args: string[]): Promise<CommandResult> {
  return runCommand(e.ctr, ['--address', e.daemon.containerdAddress, '--namespace', 'test', ...args], { timeoutMs: 90_000 });
}

for (const mode of ['none', 'basic', 'token'] as const satisfies readonly AuthMode[]) {
  describe(`docker and ctr against our registry (auth: ${mode})`, () => {
    let dir: string | undefined;
    let reg: OurRegistry | undefined;
    const repo = `docker/${mode}`;

    before(async () => {
      const htpasswd = which('htpasswd');
      // Without htpasswd the tests skip (or fail under REQUIRE_PEERS) through findPeer.
      if (mode !== 'none' && !htpasswd) return;
      dir = await makeTempDir(`docker-${mode}`);
      const lines = htpasswd ? await htpasswdLines(htpasswd, { [USER]: PASSWORD }) : [];
      reg = await startOurRegistry({ mode, htpasswdLines: lines });
    });
    after(async () => {
      await reg?.close();
      if (dir) await removeTempDir(dir);
    });

    const ready = async (t: TestContext) => {
      if (mode !== 'none' && !findPeer(t, 'htpasswd')) return undefined;
      return getEngine(t);
    };
    const login = (e: Engine) => dockerOk(e, ['login', '--username', USER, '--password-stdin', reg!.host], PASSWORD);

    let pushed: Promise<{ digest: string; imageId: string }> | undefined;
    /** Imports the tar as HOST/repo:t and pushes it (once); the digest is what `docker push` printed. */
    const push = (e: Engine) =>
      (pushed ??= (async () => {
        const ref = `${reg!.host}/${repo}:t`;
        const imageId = (await dockerOk(e, ['import', e.tarball, ref])).stdout.trim();
        if (mode !== 'none') await login(e);
        const r = await dockerOk(e, ['push', ref]);
        const digest = /digest: (sha256:[0-9a-f]{64}) size: \d+/.exec(r.stdout)?.[1];
        assert.ok(digest, `docker push printed no digest:\n${r.stdout}`);
        return { digest, imageId };
      })());

    test('docker push, rmi, pull: the digest and image ID survive the round trip', async (t) => {
      const e = await ready(t);
      if (!e) return;
      const { digest, imageId } = await push(e);
      const auth = pullAuthorization(reg!, mode, repo, USER, PASSWORD);
      assert.equal(await headManifestDigest(reg!.url, repo, 't', auth), digest, 'our registry names the manifest docker pushed');

      const ref = `${reg!.host}/${repo}:t`;
      // The only name of the image: removing it deletes the image, so the pull must download it all.
      await dockerOk(e, ['rmi', ref]);
      const gone = await docker(e, ['image', 'inspect', imageId]);
      assert.notEqual(gone.code, 0, 'the image is gone before the pull');
      if (mode !== 'none') await login(e);
      const pull = await dockerOk(e, ['pull', ref]);
      assert.match(pull.stdout, new RegExp(`Digest: ${digest}`));
      const byDigest = await dockerOk(e, ['pull', `${reg!.host}/${repo}@${digest}`]);
      assert.match(byDigest.stdout, new RegExp(`Digest: ${digest}`));

      const [info] = JSON.parse((await dockerOk(e, ['image', 'inspect', ref])).stdout) as { Id: string; RepoDigests: string[] }[];
      assert.deepEqual(info?.RepoDigests, [`${reg!.host}/${repo}@${digest}`]);
      assert.equal(info?.Id, imageId, 'same config bytes: same image ID');
      if (mode === 'token') {
        assert.ok(
          reg!.requests().some((l) => /^(GET|POST) \/token[ ?].* 200 /.test(l)),
          `dockerd fetched tokens from our /token:\n${reg!.requests().join('\n')}`,
        );
      }
    });

    test('docker push to a second repository mounts the blobs across instead of uploading', async (t) => {
      const e = await ready(t);
      if (!e) return;
      const { digest } = await push(e);
      if (mode !== 'none') await login(e);
      const copy = `${reg!.host}/${repo}-copy:t`;
      await dockerOk(e, ['tag', `${reg!.host}/${repo}:t`, copy]);
      const r = await dockerOk(e, ['push', copy]);
      assert.match(r.stdout, new RegExp(`Mounted from ${repo}`), `docker mounted the layer:\n${r.stdout}`);
      assert.match(r.stdout, new RegExp(`digest: ${digest}`));
      const auth = pullAuthorization(reg!, mode, `${repo}-copy`, USER, PASSWORD);
      assert.equal(await headManifestDigest(reg!.url, `${repo}-copy`, 't', auth), digest);
      assert.ok(reg!.requests().some((l) => /^POST \/v2\/.*-copy\/blobs\/uploads\/\?.*mount=sha256.* 201 /.test(l)), reg!.requests().join('\n'));
    });

    test('ctr (containerd) pulls the image docker pushed', async (t) => {
      const e = await ready(t);
      if (!e) return;
      const { digest } = await push(e);
      const ref = `${reg!.host}/${repo}:t`;
      const user = mode === 'none' ? [] : ['--user', `${USER}:${PASSWORD}`];
      // The native snapshotter copies files: no overlay mounts to leave behind.
      const r = await ctr(e, ['images', 'pull', '--plain-http', '--snapshotter', 'native', ...user, ref]);
      assert.equal(r.code, 0, describeResult(r));
      const listed = await ctr(e, ['images', 'ls']);
      assert.equal(listed.code, 0, describeResult(listed));
      const line = listed.stdout.split('\n').find((l) => l.startsWith(`${ref} `));
      assert.ok(line, `ctr lists ${ref}:\n${listed.stdout}`);
      assert.ok(line.split(/\s+/).includes(digest), `ctr records digest ${digest}: ${line}`);
    });

    test('ctr push (containerd\'s own upload client) stores the same manifest under a new name', async (t) => {
      const e = await ready(t);
      if (!e) return;
      const { digest } = await push(e);
      const ref = `${reg!.host}/${repo}:t`;
      const target = `${reg!.host}/${repo}-ctr:pushed`;
      const user = mode === 'none' ? [] : ['--user', `${USER}:${PASSWORD}`];
      for (const args of [
        ['images', 'pull', '--plain-http', '--snapshotter', 'native', ...user, ref],
        ['images', 'tag', '--force', ref, target],
        ['images', 'push', '--plain-http', ...user, target],
      ]) {
        const r = await ctr(e, args);
        assert.equal(r.code, 0, describeResult(r));
      }
      const auth = pullAuthorization(reg!, mode, `${repo}-ctr`, USER, PASSWORD);
      assert.equal(await headManifestDigest(reg!.url, `${repo}-ctr`, 'pushed', auth), digest);
    });

    if (mode === 'none') return;

    test('docker login refuses a wrong password', async (t) => {
      const e = await ready(t);
      if (!e) return;
      const r = await docker(e, ['login', '--username', USER, '--password-stdin', reg!.host], 'wrong-password');
      assert.notEqual(r.code, 0, `login with a wrong password must fail\n${describeResult(r)}`);
      assert.match(r.stderr, /401|unauthorized|invalid username or password/i, describeResult(r));
    });

    test('without login, docker pull and push and ctr pull are refused', async (t) => {
      const e = await ready(t);
      if (!e) return;
      await push(e);
      await dockerOk(e, ['logout', reg!.host]);
      const ref = `${reg!.host}/${repo}:t`;
      const pushAnon = await docker(e, ['push', ref]);
      assert.notEqual(pushAnon.code, 0, `anonymous push must fail\n${describeResult(pushAnon)}`);
      assert.match(pushAnon.stderr, /no basic auth credentials|denied|unauthorized/i, describeResult(pushAnon));

      await docker(e, ['rmi', ref]);
      const pull = await docker(e, ['pull', ref]);
      assert.notEqual(pull.code, 0, `anonymous pull must fail\n${describeResult(pull)}`);
      assert.match(pull.stderr, /no basic auth credentials|denied|unauthorized/i, describeResult(pull));
      assert.notEqual((await docker(e, ['image', 'inspect', ref])).code, 0, 'nothing was pulled');

      const ctrAnon = await ctr(e, ['images', 'pull', '--plain-http', '--snapshotter', 'native', `${reg!.host}/${repo}:t`]);
      assert.notEqual(ctrAnon.code, 0, `ctr without --user must fail\n${describeResult(ctrAnon)}`);
      assert.match(ctrAnon.stderr, /401|unauthorized|denied/i, describeResult(ctrAnon));
    });
  });
}
