/**
 * Peak resident memory of `daemon.write` and `daemon.image` against a private dockerd, for an
 * image of one random layer at a small and a large size, each phase in its own process so its
 * peak RSS is its own. The promise (issue 5, ggcr #1835): memory does not grow with the image.
 *
 * `node dist/bench/daemon-memory.js [bigBytes] [none|gzip]` (default 2 GiB, uncompressed layer).
 * As a child: `daemon-memory.js child write|read <bytes> <codec> <DOCKER_HOST> <tmpDir>`; prints
 * one JSON line `{phase, bytes, seconds, maxRssMiB}`.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DigestMismatchError } from '../src/errors/index.ts';
import * as daemon from '../src/daemon/index.ts';
import * as random from '../src/random/index.ts';
import { Hash } from '../src/v1/hash.ts';
import { which } from '../test/harness/peers.ts';
import { startDockerd } from '../test/harness/docker-daemon.ts';
import { makeTempDir, removeTempDir } from '../test/harness/temp-dir.ts';

const MiB = 1024 * 1024;

if (process.argv[2] === 'child') await child(process.argv.slice(3));
else await parent(process.argv.slice(2));

async function parent(args: string[]): Promise<void> {
  const big = Number(args[0] ?? 2 * 1024 * MiB);
  const codec = args[1] ?? 'none';
  const dockerd = which('dockerd');
  if (!dockerd) throw new Error('dockerd not found on PATH (Debian package docker.io)');
  const dir = await makeTempDir('daemon-memory');
  const engine = await startDockerd(dockerd, join(dir, 'engine'));
  const spool = join(dir, 'spool');
  await mkdir(spool);
  try {
    console.log('| phase | layer | codec | seconds | peak RSS MiB |');
    console.log('|---|---|---|---|---|');
    for (const size of [64 * MiB, big]) {
      for (const phase of ['write', 'read']) {
        const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), 'child', phase, String(size), codec, engine.host, spool], {
          encoding: 'utf8',
          maxBuffer: 16 * MiB,
        });
        const r = JSON.parse(out.trim().split('\n').pop()!) as { seconds: number; maxRssMiB: number };
        console.log(`| daemon.${phase === 'write' ? 'write' : 'image + digest every layer'} | ${(size / MiB).toFixed(0)} MiB | ${codec} | ${r.seconds} | ${r.maxRssMiB} |`);
      }
      if ((await readdir(spool)).length !== 0) throw new Error(`temp files left in ${spool}: ${await readdir(spool)}`);
    }
  } finally {
    await engine.stop();
    await removeTempDir(dir);
  }
}

async function child(args: readonly string[]): Promise<void> {
  const [phase = 'write', sizeArg = '0', codec = 'none', host = '', tmpDir = ''] = args;
  const size = Number(sizeArg);
  const tag = `containerregistry.bench/daemon-memory:${size}`;
  const t = performance.now();
  if (phase === 'write') {
    const img = random.image(size, 1, { seed: `daemon-memory/${size}`, compression: codec === 'gzip' ? 'gzip' : 'none' });
    await daemon.write(tag, img, { host });
  } else {
    const img = await daemon.image(tag, { host, tmpDir });
    try {
      const want = (await img.configFile()).rootfs.diff_ids;
      const layers = await img.layers();
      for (const [i, layer] of layers.entries()) {
        const { hash } = await Hash.fromStream(await layer.uncompressed());
        const expected = want[i]?.toString() ?? '';
        if (hash.toString() !== expected) throw new DigestMismatchError(`layer ${i} of ${tag}`, expected, hash.toString());
      }
    } finally {
      await img.close();
    }
  }
  console.log(
    JSON.stringify({
      phase,
      bytes: size,
      seconds: Number(((performance.now() - t) / 1000).toFixed(1)),
      maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}
