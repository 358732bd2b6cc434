// crane's local commands end to end: pull (three formats), push from a layout and a tarball,
// digest --tarball, validate --tarball, index list, layout gc — stdout as scripts read it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from './program.ts';
import { listen, type RunningRegistry } from '../registry/server.ts';
import * as remote from '../remote/index.ts';
import * as random from '../random/index.ts';
import * as layout from '../layout/index.ts';
import { Hash } from '../v1/hash.ts';
import { Platform } from '../v1/platform.ts';

let reg: RunningRegistry;
let home: string;
const saved = { ...process.env };
before(async () => {
  reg = await listen();
  home = await mkdtemp(join(tmpdir(), 'crane-local-cli-'));
  process.env['DOCKER_CONFIG'] = home;
  process.env['REGISTRY_AUTH_FILE'] = join(home, 'auth.json');
  await remote.writeIndex(`${reg.host}/cli/multi:v1`, random.index(1000, 1, 2, { seed: 'local-cli', platforms: ['linux/amd64', 'linux/arm64'] }));
  await remote.write(`${reg.host}/cli/one:v1`, random.image(1500, 2, { seed: 'local-cli-one' }));
});
after(async () => {
  await reg.close();
  await rm(home, { recursive: true, force: true });
  process.env = saved;
});

async function crane(...args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const program = buildProgram({ stdout: (s) => (out += s), stderr: (s) => (err += s), stdoutBytes: (_b, done) => done() });
  program.exitOverride();
  await program.parseAsync(args, { from: 'user' });
  return { out, err };
}

test('pull → digest --tarball → validate --tarball → push prints repo@digest and writes --image-refs', async () => {
  const tar = join(home, 'one.tar');
  const img = await remote.image(`${reg.host}/cli/one:v1`);
  assert.equal((await crane('pull', `${reg.host}/cli/one:v1`, tar)).out, '');
  assert.equal((await crane('digest', '--tarball', tar)).out, `${await img.digest()}\n`);
  assert.equal((await crane('digest', '--tarball', tar, `${reg.host}/cli/one:v1`)).out, `${await img.digest()}\n`);
  await assert.rejects(crane('digest', '--tarball', tar, '--full-ref'), /cannot specify --full-ref with --tarball/);
  assert.equal((await crane('validate', '--tarball', tar)).out, `PASS: ${tar}\n`);
  const refs = join(home, 'refs.txt');
  const out = (await crane('push', tar, `${reg.host}/cli/pushed:v1`, '--image-refs', refs)).out;
  assert.equal(out, `${reg.host}/cli/pushed@${await img.digest()}\n`);
  assert.equal(await readFile(refs, 'utf8'), `${reg.host}/cli/pushed@${await img.digest()}`);
});

test('pull --format oci of an index, index list of the layout and of the registry, push --index', async () => {
  const dir = join(home, 'layout');
  await crane('pull', '--format', 'oci', '--annotate-ref', `${reg.host}/cli/multi:v1`, `${reg.host}/cli/one:v1`, dir);
  const idx = await remote.index(`${reg.host}/cli/multi:v1`);
  const children = (await idx.indexManifest()).manifests;
  const list = (await crane('index', 'list', `${reg.host}/cli/multi:v1`)).out.split('\n');
  assert.equal(list[0], `${'Digest'.padEnd(70)} ${'MediaType'.padEnd(20)} Platform`);
  assert.equal(list[1], `${children[0]!.digest.toString().padEnd(70)} ${children[0]!.mediaType} ${Platform.toString(children[0]!.platform!)}`);
  const local = (await crane('index', 'list', dir)).out.split('\n').filter(Boolean);
  assert.equal(local.length, 3);
  assert.ok(local[1]!.startsWith((await idx.digest()).toString()));
  assert.ok(local[2]!.endsWith(' -'), 'an entry without a platform prints -');
  await assert.rejects(crane('push', dir, `${reg.host}/cli/back:v1`), /contains 2 entries, consider --index/);
  const top = Hash.of(await readFile(join(dir, 'index.json')));
  assert.equal((await crane('push', '--index', dir, `${reg.host}/cli/back:v1`)).out, `${reg.host}/cli/back@${top}\n`);
});

test('pull --format legacy, and a format crane does not know', async () => {
  const tar = join(home, 'legacy.tar');
  await crane('pull', '--format', 'legacy', `${reg.host}/cli/one:v1`, tar);
  assert.ok((await readFile(tar)).includes('repositories'));
  await assert.rejects(crane('pull', '--format', 'zip', `${reg.host}/cli/one:v1`, join(home, 'x')), /unexpected --format "zip"/);
  await assert.rejects(crane('pull', `${reg.host}/cli/one:v1`), /IMAGE\.\.\. PATH/);
});

test('layout gc lists (--dry-run) then deletes what nothing references', async () => {
  const dir = join(home, 'gc-layout');
  await crane('pull', '--format', 'oci', `${reg.host}/cli/one:v1`, dir);
  const p = await layout.fromPath(dir);
  const stray = Buffer.from('not referenced');
  const h = Hash.of(stray);
  await writeFile(join(dir, 'blobs', 'sha256', h.hex), stray);
  assert.equal((await crane('layout', 'gc', '--dry-run', dir)).out, `${h}\n`);
  assert.ok((await p.bytes(h)).equals(stray), 'a dry run deletes nothing');
  const gc = await crane('layout', 'gc', dir);
  assert.equal(gc.out, '');
  assert.equal(gc.err, `garbage collecting: ${h}\n`);
  await assert.rejects(p.bytes(h), { code: 'ERR_NOT_FOUND' });
  assert.deepEqual(await crane('layout', 'gc', dir), { out: '', err: '' });
});

test('push of an OCI-layout archive (podman oci-archive, buildkit type=oci) keeps the digest', async () => {
  const img = random.image(1200, 2, { seed: 'push-oci-archive', format: 'oci' });
  const staged = await layout.write(join(home, 'oci-archive-src'), (await import('../empty/index.ts')).index());
  await staged.appendImage(img, { annotations: { 'org.opencontainers.image.ref.name': 'v1' } });
  const archive = join(home, 'image.oci.tar');
  await layout.writeArchiveToFile(archive, await staged.imageIndex());
  const out = (await crane('push', archive, `${reg.host}/cli/from-oci-archive:v1`)).out;
  assert.equal(out, `${reg.host}/cli/from-oci-archive@${await img.digest()}\n`);
  assert.equal((await crane('digest', '--tarball', archive)).out, `${await img.digest()}\n`);
});

test('a multi-platform OCI archive (buildkit type=oci: one entry, an index) pushes whole, digests and validates', async () => {
  const idx = random.index(900, 1, 2, { seed: 'wrapped-oci-archive', platforms: ['linux/amd64', 'linux/arm64'] });
  const staged = await layout.write(join(home, 'wrapped-src'), (await import('../empty/index.ts')).index());
  await staged.appendIndex(idx);
  const archive = join(home, 'wrapped.oci.tar');
  await layout.writeArchiveToFile(archive, await staged.imageIndex());
  const indexDigest = (await idx.digest()).toString();
  const armDigest = (await idx.indexManifest()).manifests.find((m) => m.platform?.architecture === 'arm64')!.digest.toString();

  // push: the archive's one entry, the index, with every child.
  assert.equal((await crane('push', archive, `${reg.host}/cli/wrapped:v1`)).out, `${reg.host}/cli/wrapped@${indexDigest}\n`);
  const pushed = await remote.index(`${reg.host}/cli/wrapped:v1`);
  assert.equal((await pushed.digest()).toString(), indexDigest);
  assert.equal((await (await pushed.image(Hash.parse(armDigest))).digest()).toString(), armDigest);
  // push --index: the archive's own index.json, whose one child is that index.
  const whole = (await crane('push', '--index', archive, `${reg.host}/cli/wrapped-root:v1`)).out.trim();
  const root = await remote.index(`${reg.host}/cli/wrapped-root:v1`);
  assert.equal(whole, `${reg.host}/cli/wrapped-root@${await root.digest()}`);
  assert.deepEqual((await root.indexManifest()).manifests.map((m) => m.digest.toString()), [indexDigest]);

  // digest: the index without a platform, the platform's image with one.
  assert.equal((await crane('digest', '--tarball', archive)).out, `${indexDigest}\n`);
  assert.equal((await crane('--platform', 'linux/arm64', 'digest', '--tarball', archive)).out, `${armDigest}\n`);
  // index list reads the archive's index.json.
  const listed = (await crane('index', 'list', archive)).out.split('\n');
  assert.match(listed[1]!, new RegExp(`^${indexDigest} +application/vnd\\.oci\\.image\\.index\\.v1\\+json +-$`));
  assert.equal(listed.length, 3, 'a header, one entry and the final newline');
  // validate: the whole index, or one platform.
  assert.equal((await crane('validate', '--tarball', archive)).out, `PASS: ${archive}\n`);
  assert.equal((await crane('--platform', 'linux/arm64', 'validate', '--tarball', archive)).out, `PASS: ${archive}\n`);
});

test('validate --tarball prints FAIL for a layer whose bytes were changed, and --fast skips layer bytes', async () => {
  const tar = join(home, 'to-corrupt.tar');
  await crane('pull', `${reg.host}/cli/one:v1`, tar);
  const bytes = await readFile(tar);
  // The first gzip stream that starts a tar entry's data (a 512-byte boundary) is a layer; change
  // one byte well inside it. The archive still reads (sizes and names are intact).
  let at = -1;
  for (let o = 512; o + 3 < bytes.length; o += 512) {
    if (bytes[o] === 0x1f && bytes[o + 1] === 0x8b && bytes[o + 2] === 0x08) {
      at = o;
      break;
    }
  }
  assert.ok(at > 0, 'the tarball has a gzip layer');
  bytes[at + 200] = bytes[at + 200]! ^ 0xff;
  await writeFile(tar, bytes);
  const full = (await crane('validate', '--tarball', tar)).out;
  assert.match(full, new RegExp(`^FAIL: ${tar.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .+\\n$`));
  assert.equal((await crane('validate', '--fast', '--tarball', tar)).out, `PASS: ${tar}\n`);
});

test('OCI archives that hold one image read as that image: an index exported for one platform, an image under two names', async () => {
  const { execFileSync } = await import('node:child_process');
  const { rm: remove } = await import('node:fs/promises');
  // `ctr images export` without --all-platforms: the whole index, but only amd64's blobs.
  const idx = random.index(700, 1, 2, { seed: 'partial-export', platforms: ['linux/amd64', 'linux/arm64'] });
  const dir = join(home, 'partial-src');
  const staged = await layout.write(dir, (await import('../empty/index.ts')).index());
  await staged.appendIndex(idx);
  const children = (await idx.indexManifest()).manifests;
  const amd = children.find((m) => m.platform?.architecture === 'amd64')!.digest.toString();
  const arm = children.find((m) => m.platform?.architecture === 'arm64')!.digest;
  await remove(join(dir, 'blobs', 'sha256', arm.hex));
  const partial = join(home, 'partial.oci.tar');
  execFileSync('tar', ['-cf', partial, '-C', dir, 'oci-layout', 'index.json', 'blobs']);
  assert.equal((await crane('push', partial, `${reg.host}/cli/partial:v1`)).out, `${reg.host}/cli/partial@${amd}\n`);
  const classic = join(home, 'classic-for-index-list.tar');
  await crane('pull', `${reg.host}/cli/one:v1`, classic);
  await assert.rejects(crane('index', 'list', classic), /not an OCI-layout archive/);
  assert.equal((await crane('digest', '--tarball', partial)).out, `${amd}\n`);
  assert.equal((await crane('validate', '--tarball', partial)).out, `PASS: ${partial}\n`);

  // Docker ≥ 25 `docker save app:a app:b` of one image: index.json lists it twice.
  const img = random.image(800, 1, { seed: 'two-names', format: 'oci' });
  const twice = await layout.write(join(home, 'twice-src'), (await import('../empty/index.ts')).index());
  await twice.appendImage(img, { annotations: { 'org.opencontainers.image.ref.name': 'a' } });
  await twice.appendImage(img, { annotations: { 'org.opencontainers.image.ref.name': 'b' } });
  const archive = join(home, 'twice.oci.tar');
  await layout.writeArchiveToFile(archive, await twice.imageIndex());
  const digest = (await img.digest()).toString();
  assert.equal((await crane('push', archive, `${reg.host}/cli/twice:v1`)).out, `${reg.host}/cli/twice@${digest}\n`);
  assert.equal((await crane('digest', '--tarball', archive)).out, `${digest}\n`);
  assert.equal((await crane('validate', '--tarball', archive)).out, `PASS: ${archive}\n`);
});
