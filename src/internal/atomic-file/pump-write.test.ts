import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Pump } from '../pump/index.ts';
import { writePumpAtomic } from './index.ts';

function pumpOf(pieces: readonly Buffer[], failAfter = Infinity, signalled?: AbortController): Pump {
  return async (sink, signal) => {
    let i = 0;
    for (const p of pieces) {
      if (i++ === failAfter) throw Object.assign(new Error('connection dropped'), { code: 'ERR_CONNECTION_CLOSED' });
      if (i === 2) signalled?.abort(new Error('stopped by the caller'));
      signal?.throwIfAborted();
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
