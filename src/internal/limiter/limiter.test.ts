import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError } from '../../errors/index.ts';
import { DEFAULT_JOBS } from './defaults.ts';
import { createLimiter } from './limiter.ts';

test('DEFAULT_JOBS is ggcr\'s 4', () => {
  assert.equal(DEFAULT_JOBS, 4);
});

test('never runs more than the limit, and reaches it', async () => {
  const limit = createLimiter(3);
  let running = 0;
  let peak = 0;
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      limit.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(1 + (i % 3));
        running--;
      }),
    ),
  );
  assert.equal(peak, 3);
  assert.equal(limit.active, 0);
  assert.equal(limit.pending, 0);
});

test('waiters start in the order they asked', async () => {
  const limit = createLimiter(1);
  const started: number[] = [];
  await Promise.all(
    [0, 1, 2, 3, 4].map((i) =>
      limit.run(async () => {
        started.push(i);
        await sleep(1);
      }),
    ),
  );
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
});

test('a failing task frees its slot and passes its error on', async () => {
  const limit = createLimiter(1);
  await assert.rejects(limit.run(async () => Promise.reject(new Error('task failed'))), /task failed/);
  assert.equal(await limit.run(async () => 'next'), 'next');
  assert.equal(limit.active, 0);
});

test('acquire holds a slot until released; releasing twice frees one slot', async () => {
  const limit = createLimiter(2);
  const a = await limit.acquire();
  const b = await limit.acquire();
  let thirdGranted = false;
  const third = limit.acquire().then((r) => {
    thirdGranted = true;
    return r;
  });
  await sleep(2);
  assert.equal(thirdGranted, false);
  assert.equal(limit.pending, 1);
  a();
  a();
  const c = await third;
  assert.equal(limit.active, 2);
  b();
  c();
  assert.equal(limit.active, 0);
});

test('an aborted waiter leaves the queue without taking a slot', async () => {
  const limit = createLimiter(1);
  const held = await limit.acquire();
  const controller = new AbortController();
  const waiting = limit.run(async () => 'never', { signal: controller.signal });
  assert.equal(limit.pending, 1);
  controller.abort(new Error('gave up'));
  await assert.rejects(waiting, /gave up/);
  assert.equal(limit.pending, 0);
  held();
  assert.equal(limit.active, 0);
  await assert.rejects(limit.run(async () => 1, { signal: AbortSignal.abort(new Error('already')) }), /already/);
});

test('nonsense limits are refused', () => {
  assert.throws(() => createLimiter(0), InvalidArgumentError);
  assert.throws(() => createLimiter(1.5), InvalidArgumentError);
  assert.equal(createLimiter(Infinity).active, 0);
});
