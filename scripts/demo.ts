/**
 * The main job, offline, against the embedded registry: make a random multi-platform index and
 * validate it; push it into a disk-backed embedded registry; `crane pull` it into an OCI layout
 * (the index kept whole) and into a docker tarball (one platform); validate both; write the
 * layout as an OCI-layout tar and read it back through the archive reader; `crane push` the
 * layout and the tarball back and check what the registry serves. Every blob read on the way is
 * verified; every file lands atomically.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as random from '../src/random/index.ts';
import * as validate from '../src/validate/index.ts';
import * as types from '../src/types/index.ts';
import * as remote from '../src/remote/index.ts';
import * as crane from '../src/crane/index.ts';
import * as layout from '../src/layout/index.ts';
import { openTarSource } from '../src/internal/archive/index.ts';
import { Platform } from '../src/v1/platform.ts';
import { listen } from '../src/registry/server.ts';
import { Anonymous } from '../src/authn/index.ts';

const t0 = performance.now();
const ms = () => `${Math.round(performance.now() - t0)} ms`;
const log = (s: string) => console.log(`[${ms().padStart(8)}] ${s}`);
const size = async (p: string) => `${(await stat(p)).size} bytes`;
function same(what: string, a: { toString(): string }, b: { toString(): string }): void {
  if (a.toString() !== b.toString()) throw new Error(`${what}: expected ${b}, got ${a}`);
}

const idx = random.index(256 * 1024, 2, 3, {
  seed: 'demo',
  compression: 'gzip',
  format: 'oci',
  platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/s390x'],
});
const digest = await idx.digest();
log(`made a random index ${digest} (${types.OCIImageIndex})`);
for (const d of (await idx.indexManifest()).manifests) log(`  child ${d.digest} ${Platform.toString(d.platform!)}`);
await validate.index(idx);
log('validate.index: PASS');

const dir = await mkdtemp(join(tmpdir(), 'containerregistry-demo-'));
const reg = await listen({ storage: { disk: join(dir, 'registry') } });
try {
  log(`started an embedded registry at ${reg.url}, storing in ${join(dir, 'registry')}`);
  const ref = `${reg.host}/demo/app:v1`;
  // The embedded registry is anonymous: no need to read the user's credentials.
  const quiet = { auth: Anonymous };
  await remote.writeIndex(ref, idx, { log: (line) => log(`  ${line}`) });
  log(`pushed ${ref} (remote.writeIndex)`);

  const layoutDir = join(dir, 'layout');
  await crane.pullTo([ref], layoutDir, { ...quiet, format: 'oci', annotateRef: true });
  const fromLayout = await layout.imageIndexFromPath(layoutDir);
  const entry = (await fromLayout.indexManifest()).manifests[0]!;
  log(`crane pull --format oci --annotate-ref: ${layoutDir} holds ${entry.digest} (${entry.annotations?.[crane.REF_NAME_ANNOTATION]})`);
  same('layout entry digest', entry.digest, digest);
  await validate.index(await fromLayout.imageIndex(entry.digest));
  log('validate.index on the layout: PASS (every blob re-read from disk and verified)');

  const tarPath = join(dir, 'app-arm64.tar');
  const arm64 = Platform.parse('linux/arm64/v8');
  await crane.pullTo([ref], tarPath, { ...quiet, platform: arm64 });
  const fromTar = await crane.load(tarPath);
  log(`crane pull --platform linux/arm64/v8 (docker tarball): ${tarPath}, ${await size(tarPath)}`);
  const wanted = await remote.image(ref, { platform: arm64 });
  same('tarball config digest', await fromTar.configName(), await wanted.configName());
  await validate.image(fromTar);
  log(`validate.image on the tarball: PASS (image ID ${await fromTar.configName()})`);

  const ociTar = join(dir, 'app.oci.tar');
  await layout.writeArchiveToFile(ociTar, fromLayout);
  const fromArchive = await layout.fromFileSource(await openTarSource(ociTar));
  log(`wrote the layout as an OCI-layout tar: ${ociTar}, ${await size(ociTar)}`);
  same('archive index digest', (await fromArchive.indexManifest()).manifests[0]!.digest, digest);
  await validate.index(await fromArchive.imageIndex(digest));
  log('validate.index on the OCI-layout tar, read in place: PASS');

  const back = await crane.push(await crane.loadLocal(layoutDir), `${reg.host}/demo/from-layout:v1`, quiet);
  same('digest pushed from the layout', back, digest);
  log(`crane push ${layoutDir} → ${reg.host}/demo/from-layout@${back} (digest kept)`);
  const fromTarDigest = await crane.push(await crane.loadLocal(tarPath), `${reg.host}/demo/from-tarball:v1`, quiet);
  log(`crane push ${tarPath} → ${reg.host}/demo/from-tarball@${fromTarDigest}`);
  await validate.image(await remote.image(`${reg.host}/demo/from-tarball:v1`));
  await validate.index(await remote.index(`${reg.host}/demo/from-layout:v1`));
  log('validate on what the registry serves: PASS');
} finally {
  await reg.close();
  await rm(dir, { recursive: true, force: true });
}
log('done');
