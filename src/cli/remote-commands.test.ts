// crane's registry commands end to end against our registry: what scripts see on stdout, what
// goes to stderr, and the exit behaviour.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildProgram } from './program.ts';
import { listen, type RunningRegistry } from '../registry/server.ts';
import * as remote from '../remote/index.ts';
import * as random from '../random/index.ts';

let reg: RunningRegistry;
let home: string;
const saved = { ...process.env };
before(async () => {
  reg = await listen();
  // An empty Docker config: the default keychain must find nothing, not the developer's own.
  home = await mkdtemp(join(tmpdir(), 'crane-cli-'));
  process.env['DOCKER_CONFIG'] = home;
  process.env['REGISTRY_AUTH_FILE'] = join(home, 'auth.json');
  await remote.writeIndex(`${reg.host}/cli/app:v1`, random.index(1000, 1, 2, { seed: 'cli', platforms: ['linux/amd64', 'linux/arm64'] }));
});
after(async () => {
  await reg.close();
  await rm(home, { recursive: true, force: true });
  process.env = saved;
});

async function crane(...args: string[]): Promise<{ out: string; err: string; bytes: Buffer }> {
  let out = '';
  let err = '';
  const chunks: Buffer[] = [];
  const program = buildProgram({
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    stdoutBytes: (b, done) => (chunks.push(Buffer.from(b)), done()),
  });
  program.exitOverride();
  await program.parseAsync(args, { from: 'user' });
  return { out, err, bytes: Buffer.concat(chunks) };
}

test('digest, --full-ref and --platform', async () => {
  const idx = await remote.index(`${reg.host}/cli/app:v1`);
  const d = (await crane('digest', `${reg.host}/cli/app:v1`)).out;
  assert.equal(d, `${await idx.digest()}\n`);
  assert.equal((await crane('digest', '--full-ref', `${reg.host}/cli/app:v1`)).out, `${reg.host}/cli/app@${await idx.digest()}\n`);
  const arm = (await idx.indexManifest()).manifests[1]!.digest.toString();
  assert.equal((await crane('--platform', 'linux/arm64', 'digest', `${reg.host}/cli/app:v1`)).out, `${arm}\n`);
});

test('manifest and config print the raw bytes; blob streams a verified blob', async () => {
  const idx = await remote.index(`${reg.host}/cli/app:v1`);
  assert.equal((await crane('manifest', `${reg.host}/cli/app:v1`)).out, (await idx.rawManifest()).toString());
  const img = await remote.image(`${reg.host}/cli/app:v1`);
  assert.equal((await crane('config', `${reg.host}/cli/app:v1`)).out, (await img.rawConfigFile()).toString());
  const layer = (await img.manifest()).layers[0]!;
  const b = await crane('blob', `${reg.host}/cli/app@${layer.digest}`);
  assert.equal(b.bytes.length, layer.size);
});

test('copy keeps digests; tag, ls, catalog, delete', async () => {
  await crane('copy', `${reg.host}/cli/app:v1`, `${reg.host}/cli/copy:v1`);
  assert.equal((await crane('digest', `${reg.host}/cli/copy:v1`)).out, (await crane('digest', `${reg.host}/cli/app:v1`)).out);
  await crane('tag', `${reg.host}/cli/copy:v1`, 'v2');
  assert.equal((await crane('ls', `${reg.host}/cli/copy`)).out, 'v1\nv2\n');
  assert.equal((await crane('ls', '--full-ref', `${reg.host}/cli/copy`)).out, `${reg.host}/cli/copy:v1\n${reg.host}/cli/copy:v2\n`);
  assert.match((await crane('catalog', reg.host)).out, /^cli\/app\ncli\/copy\n/);
  await crane('delete', `${reg.host}/cli/copy:v2`);
  assert.equal((await crane('ls', `${reg.host}/cli/copy`)).out, 'v1\n');
  await assert.rejects(crane('copy', '-n', `${reg.host}/cli/app:v1`, `${reg.host}/cli/copy:v1`), /refusing to clobber existing tag/);
});

test('copy --platform picks one image, or a smaller index for several', async () => {
  await crane('copy', '--platform', 'linux/arm64', `${reg.host}/cli/app:v1`, `${reg.host}/cli/one:v1`);
  const one = await remote.get(`${reg.host}/cli/one:v1`);
  assert.equal((await (await one.image()).configFile()).architecture, 'arm64');
  await crane('copy', '--platform', 'linux/arm64,linux/amd64', `${reg.host}/cli/app:v1`, `${reg.host}/cli/both:v1`);
  const both = await remote.index(`${reg.host}/cli/both:v1`);
  assert.equal((await both.indexManifest()).manifests.length, 2);
});

test('validate --remote prints PASS', async () => {
  assert.equal((await crane('validate', '--remote', `${reg.host}/cli/app:v1`)).out, `PASS: ${reg.host}/cli/app:v1\n`);
});
