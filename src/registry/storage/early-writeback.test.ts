import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EarlyWriteback, WRITEBACK_EVERY } from './early-writeback.ts';

test('a background sync starts once WRITEBACK_EVERY bytes are written, one at a time', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'early-writeback-'));
  try {
    const path = join(dir, 'data');
    await writeFile(path, Buffer.alloc(1024));
    const w = new EarlyWriteback(path);
    w.written(WRITEBACK_EVERY - 1);
    assert.equal(w.running, undefined);
    w.written(1);
    const first = w.running;
    assert.ok(first, 'a sync runs after WRITEBACK_EVERY bytes');
    // More bytes while it runs do not start a second one.
    w.written(WRITEBACK_EVERY);
    assert.equal(w.running, first);
    await first;
    assert.equal(w.running, undefined);
    // The bytes counted while the first ran start the next one.
    w.written(0);
    assert.ok(w.running);
    await w.running;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a sync that cannot run (file gone) is ignored: the fsync at completion is the guarantee', async () => {
  const w = new EarlyWriteback(join(tmpdir(), 'early-writeback-missing', 'data'));
  w.written(WRITEBACK_EVERY);
  assert.ok(w.running);
  await assert.doesNotReject(w.running!);
  assert.equal(w.running, undefined);
});

test('a tracker holds each sync while it runs, so an owner can wait for them', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'early-writeback-tracker-'));
  try {
    const path = join(dir, 'data');
    await writeFile(path, Buffer.alloc(1024));
    const tracker = new Set<Promise<void>>();
    const w = new EarlyWriteback(path, tracker);
    w.written(WRITEBACK_EVERY);
    assert.equal(tracker.size, 1);
    await Promise.all(tracker);
    assert.equal(tracker.size, 0, 'a finished sync leaves the tracker');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
