/**
 * @module The world the crane CLI peer tests run in, per auth mode (none, htpasswd basic, token):
 * a real distribution registry (2.8) and our registry beside it in the same mode (in token mode
 * our registry is also distribution's token issuer), images umoci made and skopeo pushed (so
 * every digest crane prints is checked against producers that are not ours), and a client home
 * logged in to both with `crane auth login`. Plus the assertions every crane test makes.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findPeer } from './peers.ts';
import { describeResult, runCommand } from './run-command.ts';
import { makeTempDir, removeTempDir } from './temp-dir.ts';
import { startDistribution, type DistributionOptions, type DistributionRegistry } from './distribution-registry.ts';
import { headManifestDigest, htpasswdLines, pullAuthorization, startOurRegistry, type AuthMode, type OurRegistry } from './our-registry.ts';
import { addImageIndex, makeUmociImage, readLayoutBlob, type LayoutDescriptor } from './umoci-image.ts';
import { craneHome, describeCrane, runCrane, type CraneHome, type CraneResult } from './crane-cli.ts';

export const USER = 'alice';
export const PASSWORD = 'crane secret';
const SERVICE = 'test-registry';
const ISSUER = 'test-issuer';

/** One image of the seed layout, with the blobs crane is asked for. */
export interface SeedImage {
  readonly descriptor: LayoutDescriptor;
  readonly manifest: Buffer;
  readonly config: Buffer;
  readonly configDigest: string;
  readonly layerDigest: string;
}

/** Images umoci made: three platforms and an index over them. */
export interface Seed {
  readonly layout: string;
  readonly amd: SeedImage;
  readonly arm: SeedImage;
  readonly ppc: SeedImage;
  readonly multi: { readonly digest: string; readonly raw: Buffer };
  /** The tag skopeo gives the arm64 image as a cosign-style signature of amd64 (`sha256-<hex>.sig`). */
  readonly signatureTag: string;
}

/** Everything one auth mode's tests use. */
export interface CraneWorld {
  readonly mode: AuthMode;
  readonly seed: Seed;
  readonly dist: DistributionRegistry;
  /** Our registry in the same mode; in token mode also distribution's token issuer. */
  readonly ours: OurRegistry;
  /** A client logged in (in basic/token mode) to both registries with `crane auth login`. */
  readonly home: CraneHome;
  /** Scratch space for more client homes. */
  readonly dir: string;
  /** The two `crane auth login` runs (`-p` for distribution, `--password-stdin` for ours). */
  readonly logins: readonly CraneResult[];
}

async function seedImage(layout: string, descriptor: LayoutDescriptor): Promise<SeedImage> {
  const manifest = await readLayoutBlob(layout, descriptor.digest);
  const m = JSON.parse(manifest.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
  const layerDigest = m.layers.at(-1)?.digest;
  if (!layerDigest) throw new Error(`umoci image ${descriptor.digest} has no layer`);
  return { descriptor, manifest, config: await readLayoutBlob(layout, m.config.digest), configDigest: m.config.digest, layerDigest };
}

async function makeSeed(umoci: string, dir: string): Promise<Seed> {
  const layout = join(dir, 'layout');
  const made: Record<string, LayoutDescriptor> = {};
  for (const architecture of ['amd64', 'arm64', 'ppc64le']) {
    made[architecture] = await makeUmociImage(umoci, layout, architecture, dir, {
      files: { 'arch.txt': `${architecture}\n` },
      cmd: ['/bin/cat', '/arch.txt'],
      architecture,
    });
  }
  const multi = await addImageIndex(layout, 'multi', Object.entries(made).map(([architecture, descriptor]) => ({ descriptor, architecture })));
  const amd = await seedImage(layout, made['amd64']!);
  return {
    layout,
    amd,
    arm: await seedImage(layout, made['arm64']!),
    ppc: await seedImage(layout, made['ppc64le']!),
    multi: { digest: multi, raw: await readLayoutBlob(layout, multi) },
    signatureTag: `sha256-${amd.descriptor.digest.slice('sha256:'.length)}.sig`,
  };
}

/** `crane/src` (v1, v2, multi, a signature tag) and `crane/scratch:v1`, pushed by skopeo. */
async function push(skopeo: string, seed: Seed, dist: DistributionRegistry, mode: AuthMode, dir: string): Promise<void> {
  const creds = mode === 'none' ? [] : ['--dest-creds', `${USER}:${PASSWORD}`];
  const env = { REGISTRY_AUTH_FILE: join(dir, 'skopeo-auth.json'), TMPDIR: dir };
  await writeFile(env.REGISTRY_AUTH_FILE, '{}');
  for (const [source, target, all] of [
    ['amd64', 'crane/src:v1', false],
    ['arm64', 'crane/src:v2', false],
    ['multi', 'crane/src:multi', true],
    ['arm64', `crane/src:${seed.signatureTag}`, false],
    ['amd64', 'crane/scratch:v1', false],
  ] as const) {
    const args = ['copy', ...(all ? ['--all'] : []), '--dest-tls-verify=false', ...creds, `oci:${seed.layout}:${source}`, `docker://${dist.host}/${target}`];
    const r = await runCommand(skopeo, args, { env, timeoutMs: 60_000 });
    assert.equal(r.code, 0, `${describeResult(r)}\ndistribution log:\n${dist.process.log().slice(-2000)}`);
  }
}

/** Per-file state: the seed is made once and shared by the modes. */
let seedDir: string | undefined;
let seeded: Promise<Seed> | undefined;

/** Removes the seed layout; call from the test file's top-level `after`. */
export async function removeSeed(): Promise<void> {
  await seeded?.catch(() => undefined);
  if (seedDir) await removeTempDir(seedDir);
}

/** A mode's world, started on first use by a test and stopped by `close` (from the describe's `after`). */
export interface CraneWorldFixture {
  /** The world, or undefined when a peer is missing (the test is then skipped, or failed under REQUIRE_PEERS). */
  setup(t: TestContext): Promise<CraneWorld | undefined>;
  close(): Promise<void>;
}

/** The fixture for one auth mode. */
export function craneWorld(mode: AuthMode): CraneWorldFixture {
  let world: Promise<CraneWorld> | undefined;
  let dir: string | undefined;
  const stops: (() => Promise<void>)[] = [];
  return {
    async setup(t) {
      const names = ['docker-registry', 'skopeo', 'umoci', ...(mode === 'none' ? [] : ['htpasswd'])];
      const paths: Record<string, string> = {};
      for (const name of names) {
        const found = findPeer(t, name);
        if (!found) return undefined;
        paths[name] = found;
      }
      seeded ??= makeTempDir('crane-seed').then((d) => makeSeed(paths['umoci']!, (seedDir = d)));
      world ??= (async () => {
        const seed = await seeded!;
        dir = await makeTempDir(`crane-${mode}`);
        const lines = mode === 'none' ? [] : await htpasswdLines(paths['htpasswd']!, { [USER]: PASSWORD });
        const ours = await startOurRegistry({ mode, htpasswdLines: lines, token: { service: SERVICE, issuer: ISSUER, keyType: 'rsa' } });
        stops.push(() => ours.close());
        const dist = await startDistribution(paths['docker-registry']!, dir, await distributionAuth(mode, dir, lines, ours));
        stops.push(() => dist.stop());
        await push(paths['skopeo']!, seed, dist, mode, dir);

        const home = await craneHome(join(dir, 'home'));
        const logins: CraneResult[] = [];
        if (mode !== 'none') {
          logins.push(await runCrane(['auth', 'login', dist.host, '-u', USER, '-p', PASSWORD], { env: home.env }));
          logins.push(await runCrane(['auth', 'login', ours.host, '-u', USER, '--password-stdin'], { env: home.env, input: `${PASSWORD}\n` }));
          for (const r of logins) assert.equal(r.code, 0, describeCrane(r));
        }
        return { mode, seed, dist, ours, home, dir, logins };
      })();
      return world;
    },
    async close() {
      await world?.catch(() => undefined);
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      if (dir) await removeTempDir(dir);
    },
  };
}

async function distributionAuth(mode: AuthMode, dir: string, lines: readonly string[], ours: OurRegistry): Promise<DistributionOptions> {
  if (mode === 'basic') {
    const file = join(dir, 'htpasswd');
    await writeFile(file, `${lines.join('\n')}\n`);
    return { auth: { htpasswd: file } };
  }
  if (mode === 'token') {
    const certFile = join(dir, 'token-cert.pem');
    await writeFile(certFile, ours.tokenServer!.signingKey.certPem);
    // `localhost`, not 127.0.0.1: crane (ggcr #2258, and ours alike) refuses a realm on a loopback IP
    // literal other than the registry's own host:port, as an SSRF guard; a name is not checked.
    const realm = `http://localhost:${new URL(ours.url).port}/token`;
    return { auth: { token: { realm, service: SERVICE, issuer: ISSUER, rootCertBundle: certFile } } };
  }
  return {};
}

/** Runs crane as the world's logged-in client (or with another home's `env`). */
export function crane(w: CraneWorld, args: string[], env: Record<string, string> = w.home.env): Promise<CraneResult> {
  return runCrane(args, { env });
}

/** Runs crane and asserts exit 0, with distribution's log in the message otherwise. */
export async function craneOk(w: CraneWorld, args: string[]): Promise<CraneResult> {
  const r = await crane(w, args);
  assert.equal(r.code, 0, `${describeCrane(r)}\ndistribution log:\n${w.dist.process.log().slice(-1500)}`);
  return r;
}

/**
 * Asserts a failure as crane reports one: exit 1, nothing on stdout, stderr ending in one
 * `Error: …` line (after any progress lines, such as copy's `Copying from …`) matching `why`.
 */
export function assertCraneError(r: CraneResult, why: RegExp): void {
  assert.equal(r.code, 1, describeCrane(r));
  assert.equal(r.stdout, '', describeCrane(r));
  const last = r.stderr.trimEnd().split('\n').at(-1) ?? '';
  assert.match(last, /^Error: /, describeCrane(r));
  assert.match(last, why, describeCrane(r));
}

/** The manifest digest a registry of the world serves for repo:ref, read without our client. */
export function servedDigest(w: CraneWorld, reg: { readonly url: string }, repo: string, ref: string): Promise<string | undefined> {
  return headManifestDigest(reg.url, repo, ref, pullAuthorization(w.ours, w.mode, repo, USER, PASSWORD));
}

/** The tags a registry of the world lists for repo, in its order, read without our client. */
export async function servedTags(w: CraneWorld, reg: { readonly url: string }, repo: string): Promise<string[]> {
  const authorization = pullAuthorization(w.ours, w.mode, repo, USER, PASSWORD);
  const res = await fetch(`${reg.url}/v2/${repo}/tags/list`, {
    headers: authorization ? { authorization } : {},
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(res.status, 200, `tags of ${repo} at ${reg.url}`);
  return ((await res.json()) as { tags: string[] }).tags;
}
