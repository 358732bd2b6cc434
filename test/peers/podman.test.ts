/**
 * @module podman (containers/image and containers/storage, no daemon) against our registry in
 * each auth mode: an image it imported is pushed from one podman store and pulled into another,
 * and both stores, our registry and podman's digest file agree on the manifest digest. With basic
 * and token auth, a wrong password and an anonymous pull are refused; with token auth podman
 * finds our `/token` from the Bearer challenge by itself.
 */
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findPeer, which } from '../harness/peers.ts';
import { describeResult, mustRun, runCommand, type CommandResult } from '../harness/run-command.ts';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.ts';
import { headManifestDigest, htpasswdLines, pullAuthorization, startOurRegistry, type AuthMode, type OurRegistry } from '../harness/our-registry.ts';

const USER = 'alice';
const PASSWORD = 'correct horse';
const LOCAL = 'localhost/containerregistry-small:t';

/** A podman whose whole state lives under `root` (PEERS.md's flags, plus tmpdir and network config). */
interface Podman {
  readonly run: (args: string[]) => Promise<CommandResult>;
  readonly ok: (args: string[]) => Promise<CommandResult>;
}

function podmanAt(podman: string, root: string, env: Record<string, string>): Podman {
  // podman refuses a runroot longer than 50 characters: hence the terse folder names.
  const runroot = join(root, 'r');
  if (runroot.length > 50) throw new Error(`podman runroot ${runroot} is longer than podman allows (50); set TMPDIR shorter`);
  const global = [
    '--root', join(root, 'storage'),
    '--runroot', runroot,
    '--tmpdir', join(root, 'tmp'),
    '--network-config-dir', join(root, 'networks'),
    '--storage-driver=vfs',
    '--cgroup-manager=cgroupfs',
    '--events-backend=file',
  ];
  const run = (args: string[]) => runCommand(podman, [...global, ...args], { timeoutMs: 90_000, env });
  return {
    run,
    async ok(args) {
      const r = await run(args);
      assert.equal(r.code, 0, describeResult(r));
      return r;
    },
  };
}

let fileDir: string | undefined;
let pusher: Promise<{ env: Record<string, string>; imageId: string }> | undefined;

/** The store that pushes: one image imported from a small tar, made once for the file. */
async function pushStore(t: TestContext): Promise<{ p: Podman; podman: string; env: Record<string, string>; imageId: string } | undefined> {
  const podman = findPeer(t, 'podman');
  if (!podman) return undefined;
  const tar = findPeer(t, 'tar');
  if (!tar) return undefined;
  pusher ??= (async () => {
    const dir = (fileDir = await makeTempDir('pm'));
    const authFile = join(dir, 'auth.json');
    // podman insists the auth file exists; an empty one keeps the machine's logins out of the test.
    await writeFile(authFile, '{}');
    const env = { REGISTRY_AUTH_FILE: authFile, TMPDIR: dir };
    const content = join(dir, 'content');
    await mkdir(join(content, 'etc'), { recursive: true });
    await writeFile(join(content, 'etc', 'hello.txt'), 'hello from podman import\n');
    await writeFile(join(content, 'README'), 'a tiny image\n');
    await mustRun(tar, ['-C', content, '-cf', join(dir, 'small.tar'), '.'], { timeoutMs: 20_000 });
    const r = await podmanAt(podman, join(dir, 'push'), env).ok(['import', join(dir, 'small.tar'), LOCAL]);
    return { env, imageId: r.stdout.trim().replace(/^sha256:/, '') };
  })();
  const { env, imageId } = await pusher;
  return { p: podmanAt(podman, join(fileDir!, 'push'), env), podman, env, imageId };
}

after(async () => {
  if (fileDir) await removeTempDir(fileDir);
});

for (const mode of ['none', 'basic', 'token'] as const satisfies readonly AuthMode[]) {
  describe(`podman against our registry (auth: ${mode})`, () => {
    let dir: string | undefined;
    let reg: OurRegistry | undefined;
    const repo = `podman/${mode}`;

    before(async () => {
      const htpasswd = which('htpasswd');
      // Without htpasswd the tests below skip (or fail under REQUIRE_PEERS) through findPeer.
      if (mode !== 'none' && !htpasswd) return;
      dir = await makeTempDir(`pm-${mode[0]}`);
      const lines = htpasswd ? await htpasswdLines(htpasswd, { [USER]: PASSWORD }) : [];
      reg = await startOurRegistry({ mode, htpasswdLines: lines });
    });
    after(async () => {
      await reg?.close();
      if (dir) await removeTempDir(dir);
    });

    const creds = mode === 'none' ? [] : ['--creds', `${USER}:${PASSWORD}`];
    const needPeers = (t: TestContext) => mode === 'none' || findPeer(t, 'htpasswd') !== undefined;

    let pushed: Promise<string> | undefined;
    /** Pushes the imported image once; resolves with the digest podman wrote to --digestfile. */
    const push = (s: NonNullable<Awaited<ReturnType<typeof pushStore>>>) =>
      (pushed ??= (async () => {
        const digestFile = join(dir!, 'pushed.digest');
        await s.p.ok(['push', '--tls-verify=false', ...creds, '--digestfile', digestFile, LOCAL, `${reg!.host}/${repo}:t`]);
        return (await readFile(digestFile, 'utf8')).trim();
      })());

    test('push, then pull into a fresh store: the digest and image are the same everywhere', async (t) => {
      if (!needPeers(t)) return;
      const s = await pushStore(t);
      if (!s) return;
      const digest = await push(s);
      assert.match(digest, /^sha256:[0-9a-f]{64}$/);
      const auth = pullAuthorization(reg!, mode, repo, USER, PASSWORD);
      assert.equal(await headManifestDigest(reg!.url, repo, 't', auth), digest, 'our registry names the manifest podman pushed');

      const puller = podmanAt(s.podman, join(dir!, 'pull'), s.env);
      const ref = `${reg!.host}/${repo}:t`;
      await puller.ok(['pull', '--tls-verify=false', ...creds, ref]);
      const pulled = JSON.parse((await puller.ok(['image', 'inspect', ref])).stdout) as {
        Id: string;
        Digest: string;
        RepoDigests: string[];
        RootFS: { Layers: string[] };
      }[];
      const original = JSON.parse((await s.p.ok(['image', 'inspect', LOCAL])).stdout) as { Id: string; RootFS: { Layers: string[] } }[];
      assert.equal(pulled[0]?.Digest, digest);
      assert.ok(pulled[0]?.RepoDigests.includes(`${reg!.host}/${repo}@${digest}`), JSON.stringify(pulled[0]?.RepoDigests));
      assert.equal(pulled[0]?.Id, s.imageId, 'same config bytes: same image ID');
      assert.equal(original[0]?.Id, s.imageId);
      assert.deepEqual(pulled[0]?.RootFS.Layers, original[0]?.RootFS.Layers, 'same uncompressed layers');
      if (mode === 'token') {
        const tokenRequests = reg!.requests().filter((l) => /^(GET|POST) \/token[ ?].* 200 /.test(l));
        assert.ok(tokenRequests.length > 0, `podman fetched tokens from our /token:\n${reg!.requests().join('\n')}`);
      }
    });

    if (mode === 'none') return;

    test('a wrong password is refused and nothing is written', async (t) => {
      if (!needPeers(t)) return;
      const s = await pushStore(t);
      if (!s) return;
      const r = await s.p.run(['push', '--tls-verify=false', '--creds', `${USER}:wrong`, LOCAL, `${reg!.host}/${repo}:wrong`]);
      assert.notEqual(r.code, 0, `push with a wrong password must fail\n${describeResult(r)}`);
      assert.match(r.stderr, /unauthorized|invalid username or password/i, describeResult(r));
      const auth = pullAuthorization(reg!, mode, repo, USER, PASSWORD);
      assert.equal(await headManifestDigest(reg!.url, repo, 'wrong', auth), undefined);
    });

    test('an anonymous pull is refused', async (t) => {
      if (!needPeers(t)) return;
      const s = await pushStore(t);
      if (!s) return;
      await push(s);
      const anon = podmanAt(s.podman, join(dir!, 'anon'), s.env);
      const r = await anon.run(['pull', '--tls-verify=false', `${reg!.host}/${repo}:t`]);
      assert.notEqual(r.code, 0, `anonymous pull must fail\n${describeResult(r)}`);
      assert.match(r.stderr, /unauthorized|authentication required|denied/i, describeResult(r));
      const images = await anon.ok(['images', '--quiet']);
      assert.equal(images.stdout.trim(), '', 'nothing was pulled');
    });
  });
}
