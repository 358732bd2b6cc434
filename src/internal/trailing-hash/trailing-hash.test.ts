import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { trailingHash } from './index.ts';

async function scratch(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'trailing-hash-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('the digest of a file hashed while it grows in uneven steps is the digest of its bytes', async (t) => {
  const path = join(await scratch(t), 'blob');
  const fd = openSync(path, 'w');
  const h = trailingHash(path, 'sha256');
  const ref = createHash('sha256');
  let n = 0;
  for (const size of [1, 70_000, 3 * 1024 * 1024 + 5, 0, 12_345]) {
    const piece = randomBytes(size);
    writeSync(fd, piece);
    ref.update(piece);
    h.advance((n += size));
    await tick();
  }
  closeSync(fd);
  assert.equal(await h.finish(n), ref.digest('hex'));
});

test('only the bytes announced count: finish(total) hashes exactly the first total bytes', async (t) => {
  const path = join(await scratch(t), 'blob');
  const fd = openSync(path, 'w');
  const data = randomBytes(200_000);
  writeSync(fd, data);
  closeSync(fd);
  const h = trailingHash(path, 'sha512');
  h.advance(50_000);
  assert.equal(await h.finish(150_000), createHash('sha512').update(data.subarray(0, 150_000)).digest('hex'));
});

test('many files at once, each its own digest; a cancelled one does not disturb the rest', async (t) => {
  const dir = await scratch(t);
  const files = Array.from({ length: 6 }, (_, i) => ({ path: join(dir, `b${i}`), data: randomBytes(300_000 + i) }));
  const jobs = files.map((f) => {
    const fd = openSync(f.path, 'w');
    return { ...f, fd, h: trailingHash(f.path, 'sha256') };
  });
  for (let at = 0; at < 300_006; at += 65_536) {
    for (const j of jobs) {
      const piece = j.data.subarray(at, at + 65_536);
      if (piece.length > 0) writeSync(j.fd, piece);
      j.h.advance(Math.min(at + 65_536, j.data.length));
    }
    await tick();
  }
  jobs[2]!.h.cancel();
  const digests = await Promise.all(jobs.filter((_, i) => i !== 2).map((j) => j.h.finish(j.data.length)));
  for (const j of jobs) closeSync(j.fd);
  assert.deepEqual(digests, files.filter((_, i) => i !== 2).map((f) => createHash('sha256').update(f.data).digest('hex')));
});

test('a file that is shorter than announced, or missing, is an error naming the hashing thread', async (t) => {
  const dir = await scratch(t);
  const path = join(dir, 'short');
  const fd = openSync(path, 'w');
  writeSync(fd, Buffer.alloc(10));
  closeSync(fd);
  await assert.rejects(trailingHash(path, 'sha256').finish(20), /hashing thread: the file ended at 10 bytes, before the 20 written/);
  await assert.rejects(trailingHash(join(dir, 'missing'), 'sha256').finish(0), /hashing thread: ENOENT/);
});

test('the hashing thread never keeps a process alive once its jobs are done', () => {
  const url = new URL('./index.js', import.meta.url).href;
  const script = `
    import { trailingHash } from ${JSON.stringify(url)};
    import { writeFileSync } from 'node:fs';
    const p = ${JSON.stringify(join(tmpdir(), `trailing-hash-exit-${process.pid}`))};
    writeFileSync(p, 'hello');
    console.log(await trailingHash(p, 'sha256').finish(5));
    trailingHash(p, 'sha256').cancel();
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(r.signal, null, 'exited on its own, not killed by the timeout');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), createHash('sha256').update('hello').digest('hex'));
});
