import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Pump } from '../pump/index.ts';
import { DigestMismatchError, SizeMismatchError } from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';
import { writePumpAtomic } from './index.ts';

function pumpOf(pieces: readonly Buffer[], failAfter = Infinity, signalled?: AbortController): Pump {
  return async (sink, how) => {
    let i = 0;
    for (const p of pieces) {
      if (i++ === failAfter) throw Object.assign(new Error('connection dropped'), { code: 'ERR_CONNECTION_CLOSED' });
      if (i === 2) signalled?.abort(new Error('stopped by the caller'));
      how?.signal?.throwIfAborted();
      sink(p);
      await new Promise((r) => setImmediate(r));
    }
  };
}

const pieces = [Buffer.from('a'.repeat(70_000)), Buffer.from('b'.repeat(70_000)), Buffer.from('c')];

test('writePumpAtomic: the file appears whole under its name, with nothing else beside it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pump-write-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const final = join(dir, 'blob');
  assert.equal(await writePumpAtomic(final, Readable.from([]), pumpOf(pieces)), final);
  assert.deepEqual(await readFile(final), Buffer.concat(pieces));
  assert.deepEqual(await readdir(dir), ['blob']);
});

test('writePumpAtomic: a pump that fails part-way or is aborted leaves no file and no temp file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pump-write-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const source = Readable.from([]);
  await assert.rejects(writePumpAtomic(join(dir, 'blob'), source, pumpOf(pieces, 1)), { code: 'ERR_CONNECTION_CLOSED' });
  assert.deepEqual(await readdir(dir), []);
  assert.equal(source.destroyed, true, 'the source is released');
  const ac = new AbortController();
  await assert.rejects(writePumpAtomic(join(dir, 'blob'), Readable.from([]), pumpOf(pieces, Infinity, ac), { signal: ac.signal }), /stopped by the caller/);
  assert.deepEqual(await readdir(dir), []);
});

test('writePumpAtomic with verify: right bytes land; wrong ones fail with the mismatch and leave nothing, after beforeFail', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pump-write-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const whole = Buffer.concat(pieces);
  const digest = Hash.of(whole);
  let told: unknown;
  const seen = (sink: Parameters<Pump>[0], how: Parameters<Pump>[1]) => ((told = how?.sinkVerifies), pumpOf(pieces)(sink, how));
  await writePumpAtomic(join(dir, 'good'), Readable.from([]), seen, { verify: { digest, size: whole.length } });
  assert.deepEqual(await readFile(join(dir, 'good')), whole);
  assert.deepEqual(told, { digest, size: whole.length }, 'the pump is told the sink verifies');
  const failed: string[] = [];
  const beforeFail = async (err: Error): Promise<void> => void failed.push(err.name);
  const other = Hash.of(Buffer.from('other'));
  await assert.rejects(
    writePumpAtomic(join(dir, 'bad'), Readable.from([]), pumpOf(pieces), { verify: { digest: other, size: whole.length, what: 'layer X', beforeFail } }),
    (err: unknown) => err instanceof DigestMismatchError && err.message === `digest mismatch for layer X: expected ${other}, got ${digest}`,
  );
  await assert.rejects(
    writePumpAtomic(join(dir, 'short'), Readable.from([]), pumpOf(pieces), { verify: { digest, size: whole.length + 1, beforeFail } }),
    SizeMismatchError,
  );
  assert.deepEqual(failed, ['DigestMismatchError', 'SizeMismatchError']);
  assert.deepEqual(await readdir(dir), ['good'], 'no bad file, no temp file');
});

test('writePumpAtomic: kept pieces gathered into larger writes and views written at once land in order', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pump-write-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const parts = Array.from({ length: 90 }, (_, i) => Buffer.alloc(7_000 + i, i));
  const reused = Buffer.alloc(10_000);
  const mixed: Pump = async (sink) => {
    for (const [i, p] of parts.entries()) {
      if (i % 7 === 3) {
        // A view of a buffer the producer overwrites next time: must be written before returning.
        p.copy(reused);
        sink(reused.subarray(0, p.length));
        reused.fill(0xee);
      } else sink(p, true);
    }
  };
  const whole = Buffer.concat(parts);
  await writePumpAtomic(join(dir, 'blob'), Readable.from([]), mixed, { verify: { digest: Hash.of(whole), size: whole.length } });
  assert.deepEqual(await readFile(join(dir, 'blob')), whole);
});
