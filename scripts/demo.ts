/**
 * The main job, offline: make a random multi-platform index, validate it, write it as an OCI
 * image-layout tar (streamed, written atomically), read it back with every blob verified, and
 * validate what was read. Later issues extend this to the embedded registry.
 */
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as random from '../src/random/index.ts';
import * as validate from '../src/validate/index.ts';
import * as types from '../src/types/index.ts';
import { Platform } from '../src/v1/platform.ts';
import { writeLayoutTar, extractLayoutTar, readLayoutDir } from './demo-layout-tar.ts';
import * as remote from '../src/remote/index.ts';
import { listen } from '../src/registry/server.ts';

const t0 = performance.now();
const ms = () => `${Math.round(performance.now() - t0)} ms`;
const log = (s: string) => console.log(`[${ms().padStart(8)}] ${s}`);

const idx = random.index(256 * 1024, 2, 3, {
  seed: 'demo',
  compression: 'gzip',
  format: 'oci',
  platforms: ['linux/amd64', 'linux/arm64/v8', 'linux/s390x'],
});
log(`made a random index ${await idx.digest()} (${types.OCIImageIndex})`);
for (const d of (await idx.indexManifest()).manifests) {
  log(`  child ${d.digest} ${Platform.toString(d.platform!)} (${d.size} bytes manifest)`);
}

await validate.index(idx);
log('validate.index: PASS');

const dir = await mkdtemp(join(tmpdir(), 'containerregistry-demo-'));
try {
  const final = join(dir, 'index.oci.tar');
  const partial = `${final}.partial`;
  await pipeline(writeLayoutTar(idx), createWriteStream(partial));
  await rename(partial, final); // visible under its final name only once complete
  log(`wrote an OCI layout tar: ${final} (${(await stat(final)).size} bytes)`);

  const unpacked = join(dir, 'layout');
  await extractLayoutTar(createReadStream(final, { highWaterMark: 1 << 20 }), unpacked);
  log(`unpacked it to ${unpacked}: every blob verified and renamed into place`);
  const back = await readLayoutDir(unpacked);
  log(`read it back: index ${await back.digest()}`);
  if (!(await back.digest()).equals(await idx.digest())) throw new Error('index digest changed on the round trip');
  await validate.index(back);
  log('validate.index on what was read: PASS');

  const reg = await listen({ storage: { disk: join(dir, 'registry') } });
  try {
    log(`started an embedded registry at ${reg.url}, storing in ${join(dir, 'registry')}`);
    const ref = `${reg.host}/demo/app:v1`;
    await remote.writeIndex(ref, back, { log: (line) => log(`  ${line}`) });
    log(`pushed ${ref} with the registry client (remote.writeIndex)`);
    const pulled = await remote.index(ref);
    log(`read it back from the registry: index ${await pulled.digest()}`);
    if (!(await pulled.digest()).equals(await idx.digest())) throw new Error('index digest changed through the registry');
    await validate.index(pulled);
    log('validate.index on what the registry served: PASS (every blob re-read and verified)');
  } finally {
    await reg.close();
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
log('done');
