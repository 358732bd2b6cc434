/**
 * @module `daemon` against a real dockerd (a private one for this file, PEERS.md): an image we
 * write is what `docker image inspect` reports (its ID is our config digest), reads back with the
 * same config and diffIDs and validates; writing it again only tags it; tags are made; an image
 * docker made itself (`docker import`) reads and validates; the API version is negotiated down
 * to the daemon's.
 */
import { after, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import * as daemon from '../../src/daemon/index.ts';
import { lowerVersion } from '../../src/daemon/engine-client.ts';
import { countingClient } from '../../src/daemon/counting-client.test-fixtures.ts';
import { NotFoundError } from '../../src/errors/index.ts';
import * as random from '../../src/random/index.ts';
import * as validate from '../../src/validate/index.ts';
import { Hash } from '../../src/v1/hash.ts';
import { parseConfigFile } from '../../src/v1/config.ts';
import { findPeer } from '../harness/peers.ts';
import { describeResult, mustRun, runCommand } from '../harness/run-command.ts';
import { makeTempDir, removeTempDir } from '../harness/temp-dir.ts';
import { startDockerd, type DockerDaemon } from '../harness/docker-daemon.ts';

interface Engine {
  readonly docker: string;
  readonly daemon: DockerDaemon;
  readonly dir: string;
}

let fileDir: string | undefined;
let started: Promise<DockerDaemon> | undefined;

/** The file's one dockerd, started on first use; undefined when a peer is missing (skipped). */
async function engine(t: TestContext): Promise<Engine | undefined> {
  const dockerd = findPeer(t, 'dockerd');
  if (!dockerd) return undefined;
  const docker = findPeer(t, 'docker');
  if (!docker) return undefined;
  started ??= (async () => {
    fileDir = await makeTempDir('daemon-peers');
    return startDockerd(dockerd, join(fileDir, 'engine'));
  })();
  return { docker, daemon: await started, dir: fileDir! };
}

after(async () => {
  const d = await started?.catch(() => undefined);
  await d?.stop();
  if (fileDir) await removeTempDir(fileDir);
});

async function docker(e: Engine, args: string[]): Promise<string> {
  const r = await runCommand(e.docker, args, { timeoutMs: 90_000, env: { ...e.daemon.env } });
  assert.equal(r.code, 0, `${describeResult(r)}\ndockerd log:\n${e.daemon.process.log().slice(-2000)}`);
  return r.stdout.trim();
}

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

describe('daemon against dockerd', () => {
  const source = random.image(256 * 1024, 3, { seed: 'daemon-peers' });
  const TAG = 'containerregistry.test/daemon/random:v1';

  test('the API version is negotiated down to the daemon\'s', async (t) => {
    const e = await engine(t);
    if (!e) return;
    const ping = await daemon.newClient({ host: e.daemon.host }).ping();
    const server = await docker(e, ['version', '--format', '{{.Server.APIVersion}}']);
    assert.equal(ping.apiVersion, server);
    assert.equal(ping.negotiatedVersion, lowerVersion(daemon.API_VERSION, server));
  });

  test('write: docker sees the image under our config digest; read back, layers and config match and validate', async (t) => {
    const e = await engine(t);
    if (!e) return;
    const answer = await daemon.write(TAG, source, { host: e.daemon.host });
    assert.match(answer, /Loaded image: containerregistry\.test\/daemon\/random:v1/);
    const id = await docker(e, ['image', 'inspect', '--format', '{{.Id}}', TAG]);
    assert.equal(id, (await source.configName()).toString());

    const tmpDir = join(e.dir, 'spool');
    await mkdir(tmpDir, { recursive: true });
    // configFrom 'tarball': validate compares configFile() with the raw config, byte for byte.
    const back = await daemon.image(TAG, { host: e.daemon.host, tmpDir, configFrom: 'tarball' });
    try {
      assert.equal((await back.configName()).toString(), id);
      assert.deepEqual(await back.rawConfigFile(), await source.rawConfigFile());
      const want = (await source.configFile()).rootfs.diff_ids.map(String);
      const layers = await back.layers();
      assert.deepEqual(await Promise.all(layers.map(async (l) => String(await l.diffID()))), want);
      for (const [i, l] of layers.entries()) {
        const { hash } = await Hash.fromStream(await l.uncompressed());
        assert.equal(hash.toString(), want[i]);
      }
      await validate.image(back);
      assert.equal((await readdir(tmpDir)).length, 1, 'one spooled tarball while open');
    } finally {
      await back.close();
    }
    assert.deepEqual(await readdir(tmpDir), [], 'the spool is gone after close');
  });

  test('configFile from inspect and history agrees with the raw config (diffIDs, platform, history order)', async (t) => {
    const e = await engine(t);
    if (!e) return;
    await daemon.write(TAG, source, { host: e.daemon.host });
    const back = await daemon.image(TAG, { host: e.daemon.host });
    try {
      const synthesised = await back.configFile();
      const raw = parseConfigFile(await back.rawConfigFile());
      assert.deepEqual(synthesised.rootfs.diff_ids.map(String), raw.rootfs.diff_ids.map(String));
      assert.equal(synthesised.os, raw.os);
      assert.equal(synthesised.architecture, raw.architecture);
      assert.deepEqual(synthesised.history?.map((h) => h.comment), raw.history?.map((h) => h.comment));
      assert.deepEqual(synthesised.history?.map((h) => h.created_by), raw.history?.map((h) => h.created_by));
    } finally {
      await back.close();
    }
  });

  test('writing an image the daemon has only tags it: no load', async (t) => {
    const e = await engine(t);
    if (!e) return;
    await daemon.write(TAG, source, { host: e.daemon.host });
    const { client, calls } = countingClient(e.daemon.host);
    assert.equal(await daemon.write('containerregistry.test/daemon/random:again', source, { client }), '');
    assert.deepEqual(calls, ['inspect', 'tag']);
    const id = await docker(e, ['image', 'inspect', '--format', '{{.Id}}', 'containerregistry.test/daemon/random:again']);
    assert.equal(id, (await source.configName()).toString());
  });

  test('tag, and a missing image is NotFoundError', async (t) => {
    const e = await engine(t);
    if (!e) return;
    await daemon.write(TAG, source, { host: e.daemon.host });
    await daemon.tag(TAG, 'containerregistry.test/daemon/tagged:x', { host: e.daemon.host });
    const tags = await docker(e, ['image', 'inspect', '--format', '{{join .RepoTags ","}}', TAG]);
    assert.ok(tags.split(',').includes('containerregistry.test/daemon/tagged:x'), tags);
    await assert.rejects(daemon.image('containerregistry.test/daemon/none:x', { host: e.daemon.host }), NotFoundError);
    await assert.rejects(daemon.tag('containerregistry.test/daemon/none:x', 'a/b:c', { host: e.daemon.host }), NotFoundError);
  });

  test('an image docker made itself (docker import) reads whole, saved afresh for each read with buffer "none"', async (t) => {
    const e = await engine(t);
    if (!e) return;
    const tar = findPeer(t, 'tar');
    if (!tar) return;
    const content = join(e.dir, 'content');
    await mkdir(join(content, 'etc'), { recursive: true });
    await writeFile(join(content, 'etc', 'hello.txt'), 'hello from docker import\n');
    await mustRun(tar, ['-C', content, '-cf', join(e.dir, 'small.tar'), '.'], { timeoutMs: 20_000 });
    const id = await docker(e, ['import', '--change', 'CMD ["/bin/true"]', join(e.dir, 'small.tar'), 'containerregistry.test/daemon/imported:1']);
    const { client, calls } = countingClient(e.daemon.host);
    const img = await daemon.image('containerregistry.test/daemon/imported:1', { client, buffer: 'none', configFrom: 'tarball' });
    try {
      assert.equal((await img.configName()).toString(), id);
      assert.deepEqual((await img.configFile()).config.Cmd, ['/bin/true']);
      await validate.image(img);
      for (const l of await img.layers()) await pipeline(await l.uncompressed(), sink());
      assert.ok(calls.filter((c) => c === 'save').length > 1, calls.join(','));
    } finally {
      await img.close();
    }
  });
});
