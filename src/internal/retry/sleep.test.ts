import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep } from './sleep.ts';

test('sleeps at least the time asked', async () => {
  const t0 = performance.now();
  await sleep(15);
  assert.ok(performance.now() - t0 >= 14);
});

test('an abort ends the sleep at once with the signal\'s reason', async () => {
  const controller = new AbortController();
  const pending = sleep(60_000, controller.signal);
  controller.abort(new Error('stop'));
  await assert.rejects(pending, /^Error: stop$/);
  await assert.rejects(sleep(1, AbortSignal.abort(new Error('early'))), /early/);
});
