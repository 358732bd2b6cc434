import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Update } from '../../v1/progress.ts';
import { TransferProgress } from './index.ts';

function recording(): { updates: Update[]; progress: TransferProgress } {
  const updates: Update[] = [];
  return { updates, progress: new TransferProgress((u) => updates.push(u)) };
}

test('a blob counts its furthest point, so a re-sent or resumed body never counts twice', () => {
  const { updates, progress } = recording();
  const a = progress.blob('a', 100);
  a(60);
  a(30); // a retry starting over
  a(80);
  a(150); // more than the blob: capped
  assert.deepEqual(updates.map((u) => u.complete), [0, 60, 80, 100]);
  assert.ok(updates.every((u) => u.total === 100 && u.complete <= u.total));
});

test('a blob registered twice under one key counts once towards total and complete', () => {
  const { updates, progress } = recording();
  const first = progress.blob('a', 50);
  const other = progress.blob('b', 10);
  first(50);
  const again = progress.blob('a', 50); // a second read of the same blob
  again(25);
  again(50);
  other(10);
  assert.equal(progress.total, 60);
  assert.equal(progress.complete, 60);
  assert.deepEqual(updates.at(-1), { total: 60, complete: 60 });
});

test('a blob of unknown size grows total and complete together; unnamed blobs are never shared', () => {
  const { progress } = recording();
  const known = progress.blob('k', 10);
  const u1 = progress.blob(undefined, -1);
  const u2 = progress.blob(undefined, -1);
  u1(5);
  u2(7);
  known(10);
  assert.equal(progress.total, 22);
  assert.equal(progress.complete, 22);
});
