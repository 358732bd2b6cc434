import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { liveSpools, spoolToFile } from './index.ts';

let tmpDir: string;
beforeEach(async () => {
  tmpDir = await mkdtemp(join(tmpdir(), 'containerregistry-spool-test-'));
});
afterEach(() => rm(tmpDir, { recursive: true, force: true }));

test('the stream lands in a private file that remove() deletes', async () => {
  const spool = await spoolToFile(async () => Readable.from([Buffer.from('abc'), Buffer.from('def')]), { tmpDir });
  assert.equal(await readFile(spool.path, 'utf8'), 'abcdef');
  assert.equal((await stat(spool.path)).mode & 0o777, 0o600);
  assert.equal((await stat(dirname(spool.path))).mode & 0o777, 0o700);
  assert.ok(liveSpools().includes(dirname(spool.path)));
  await spool.remove();
  await spool.remove();
  assert.deepEqual(await readdir(tmpDir), []);
  assert.ok(!liveSpools().includes(dirname(spool.path)));
});

test('a stream that fails half-way leaves nothing behind and passes its error on', async () => {
  const boom = new Error('connection reset');
  async function* broken() {
    yield Buffer.alloc(100_000);
    throw boom;
  }
  await assert.rejects(spoolToFile(async () => Readable.from(broken()), { tmpDir }), (err: unknown) => err === boom);
  assert.deepEqual(await readdir(tmpDir), []);
  const why = new Error('stop');
  const endless = new Readable({ read() { this.push(Buffer.alloc(65536)); } });
  await assert.rejects(spoolToFile(async () => endless, { tmpDir, signal: AbortSignal.abort(why) }), (err: unknown) => err === why);
  assert.deepEqual(await readdir(tmpDir), []);
});

test('a spool never removed is gone when the process exits', () => {
  // Run from source (tsx) or compiled (dist/*.js) alike.
  const fromSource = import.meta.url.endsWith('.ts');
  const spoolModule = new URL(`./index.${fromSource ? 'ts' : 'js'}`, import.meta.url).href;
  const loader = fromSource ? ['--import', import.meta.resolve('tsx')] : [];
  const script = `
    import { Readable } from 'node:stream';
    import { existsSync } from 'node:fs';
    const { spoolToFile } = await import(${JSON.stringify(spoolModule)});
    const s = await spoolToFile(async () => Readable.from([Buffer.from('left')]), { tmpDir: process.argv[1] });
    console.log(existsSync(s.path));
    process.exit(0);`;
  const out = execFileSync(process.execPath, [...loader, '--input-type=module', '-e', script, tmpDir], { encoding: 'utf8' });
  assert.equal(out.trim(), 'true', 'the file existed while the process ran');
  return readdir(tmpDir).then((left) => assert.deepEqual(left, []));
});
