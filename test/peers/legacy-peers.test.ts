/**
 * @module The legacy (v1) `docker save` archives we write, loaded by a real Docker Engine: two
 * random images (three tags, one shared under two names) in one archive go through `docker load`,
 * and `docker image inspect` reports each image's config digest as its ID, its diffIDs as its
 * layers, and its tags. One private dockerd (vfs, no iptables, its own socket) serves the file.
 */
import { after, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { findPeer } from '../harness/peers.ts';
import { describeResult, runCommand, type CommandResult } from '../harness/run-command.ts';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.ts';
import { startDockerd, type DockerDaemon } from '../harness/docker-daemon.ts';
import * as legacy from '../../src/legacy/index.ts';
import * as random from '../../src/random/index.ts';
import { Tag } from '../../src/name/index.ts';

let dir: string | undefined;
let daemon: Promise<DockerDaemon> | undefined;

after(async () => {
  const started = await daemon?.catch(() => undefined);
  await started?.stop();
  if (dir) await removeTempDir(dir);
});

async function engine(t: TestContext): Promise<{ docker: string; daemon: DockerDaemon } | undefined> {
  const dockerd = findPeer(t, 'dockerd');
  if (!dockerd) return undefined;
  const docker = findPeer(t, 'docker');
  if (!docker) return undefined;
  dir ??= await makeTempDir('legacy-peers');
  daemon ??= startDockerd(dockerd, join(dir, 'engine'));
  return { docker, daemon: await daemon };
}

async function dockerOk(e: { docker: string; daemon: DockerDaemon }, args: string[]): Promise<CommandResult> {
  const r = await runCommand(e.docker, args, { timeoutMs: 120_000, env: { ...e.daemon.env } });
  assert.equal(r.code, 0, `${describeResult(r)}\ndockerd log:\n${e.daemon.process.log().slice(-2000)}`);
  return r;
}

interface Inspected {
  Id: string;
  RepoTags: string[];
  RootFS: { Type: string; Layers: string[] };
}

test('docker load reads our legacy archive: image IDs, diffIDs and tags as written', async (t) => {
  const e = await engine(t);
  if (!e) return;
  const a = random.image(64 * 1024, 3, { seed: 'legacy-peer-a' });
  const b = random.image(32 * 1024, 2, { seed: 'legacy-peer-b', compression: 'zstd', format: 'oci' });
  const archive = join(dir!, 'legacy.tar');
  await legacy.multiWriteToFile(archive, [
    [Tag.parse('legacy/a:one'), a],
    [Tag.parse('example.com/legacy/a'), a],
    [Tag.parse('legacy/b:two'), b],
  ]);
  const load = await dockerOk(e, ['load', '-i', archive]);
  for (const tag of ['legacy/a:one', 'example.com/legacy/a:latest', 'legacy/b:two']) {
    assert.match(load.stdout, new RegExp(`Loaded image: ${tag.replace(/[.]/g, '\\.')}`), load.stdout);
  }
  for (const [img, tags] of [
    [a, ['example.com/legacy/a:latest', 'legacy/a:one']],
    [b, ['legacy/b:two']],
  ] as const) {
    const [info] = JSON.parse((await dockerOk(e, ['image', 'inspect', tags[0]!])).stdout) as Inspected[];
    assert.equal(info?.Id, (await img.configName()).toString(), 'the image ID is our config digest');
    const diffIDs = (await img.configFile()).rootfs.diff_ids.map(String);
    assert.deepEqual(info?.RootFS.Layers, diffIDs);
    assert.deepEqual([...info!.RepoTags].sort(), [...tags].sort());
  }
});
