// `crane pull` killed with SIGKILL mid-transfer leaves nothing half-written under a final name:
// every blob file in the layout hashes to its name, and a tarball pull leaves no tarball.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, type RunningRegistry } from '../registry/server.ts';
import * as remote from '../remote/index.ts';
import * as random from '../random/index.ts';
import { craneEntry } from '../../test/harness/crane-cli.ts';

const crane = craneEntry();
let reg: RunningRegistry;
let dir: string;

before(async () => {
  reg = await listen();
  dir = await mkdtemp(join(tmpdir(), 'pull-crash-'));
  // Six 16 MiB incompressible layers: long enough to be killed in the middle.
  await remote.write(`${reg.host}/crash/big:v1`, random.image(16 * 1024 * 1024, 6, { seed: 'pull-crash', compression: 'none' }));
});
after(async () => {
  await reg.close();
  await rm(dir, { recursive: true, force: true });
});

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

/** Starts `crane pull`, kills it with SIGKILL once `ready()` says it is mid-transfer. */
async function killMidway(args: string[], ready: () => Promise<boolean>): Promise<void> {
  const child = spawn(process.execPath, [crane, 'pull', ...args], { stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  let killed = false;
  for (let i = 0; i < 2000 && child.exitCode === null; i++) {
    if (await ready()) {
      child.kill('SIGKILL');
      killed = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await exited;
  assert.ok(killed, 'the pull was killed while it ran');
}

test('SIGKILL during crane pull --format oci: every visible blob is whole and verified', async () => {
  const path = join(dir, 'layout');
  const blobs = join(path, 'blobs', 'sha256');
  // Mid-transfer: at least one blob landed and another is still being written.
  await killMidway(['--format', 'oci', `${reg.host}/crash/big:v1`, path], async () => {
    if (!existsSync(blobs)) return false;
    const names = await readdir(blobs);
    return names.some((n) => !n.startsWith('.')) && names.some((n) => n.startsWith('.tmp-'));
  });
  const names = await readdir(blobs);
  const visible = names.filter((n) => !n.startsWith('.'));
  assert.ok(visible.length > 0 && visible.length < 8, `killed midway: ${visible.length} blobs visible`);
  for (const n of visible) assert.equal(await sha256(join(blobs, n)), n, `blob ${n} is whole`);
  // index.json names the image only once everything is there: absent, or the empty index.
  if (existsSync(join(path, 'index.json'))) {
    const { imageIndexFromPath } = await import('../layout/index.ts');
    assert.equal((await (await imageIndexFromPath(path)).indexManifest()).manifests.length, 0);
  }
});

test('SIGKILL during crane pull to a tarball: no file under the tarball name', async () => {
  const path = join(dir, 'image.tar');
  await killMidway([`${reg.host}/crash/big:v1`, path], async () => (await readdir(dir)).some((n) => n.includes('image.tar') && n !== 'image.tar'));
  assert.ok(!existsSync(path), 'the tarball never appeared under its name');
});
