import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError } from '../../errors/index.ts';
import { mapLimit } from './map-limit.ts';

test('keeps input order whatever order the calls finish in', async () => {
  const delays = [8, 1, 5, 2, 7, 3, 1, 4];
  const out = await mapLimit(delays, 3, async (ms, i) => {
    await sleep(ms);
    return `${i}:${ms}`;
  });
  assert.deepEqual(out, delays.map((ms, i) => `${i}:${ms}`));
});

test('runs at most `concurrency` at once and reaches it', async () => {
  let running = 0;
  let peak = 0;
  await mapLimit(Array.from({ length: 25 }, (_, i) => i), 4, async () => {
    running++;
    peak = Math.max(peak, running);
    await sleep(2);
    running--;
  });
  assert.equal(peak, 4);
});

test('pulls lazily from an iterable and handles fewer items than slots, or none', async () => {
  let pulled = 0;
  function* gen() {
    for (let i = 0; i < 10; i++) {
      pulled++;
      yield i;
    }
  }
  let maxAhead = 0;
  let done = 0;
  await mapLimit(gen(), 2, async () => {
    maxAhead = Math.max(maxAhead, pulled - done);
    await sleep(1);
    done++;
  });
  assert.ok(maxAhead <= 2, `pulled ${maxAhead} items ahead of completion`);
  assert.deepEqual(await mapLimit([1, 2], 8, async (x) => x * 2), [2, 4]);
  assert.deepEqual(await mapLimit([], 4, async (x) => x), []);
});

test('after the first failure no new item starts, running ones are signalled, first error wins', async () => {
  const started: number[] = [];
  let sawAbort = false;
  const pending = mapLimit(Array.from({ length: 20 }, (_, i) => i), 2, async (i, _index, signal) => {
    started.push(i);
    if (i === 0) {
      await sleep(1);
      throw new Error('first');
    }
    if (i === 1) {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      sawAbort = true;
      throw new Error('second');
    }
    await sleep(5);
    return i;
  });
  await assert.rejects(pending, /^Error: first$/);
  assert.deepEqual(started, [0, 1]);
  assert.equal(sawAbort, true);
});

test('waits for running calls to settle before rejecting', async () => {
  let slowFinished = false;
  await assert.rejects(
    mapLimit([0, 1], 2, async (i) => {
      if (i === 0) throw new Error('fast failure');
      await sleep(10);
      slowFinished = true;
    }),
    /fast failure/,
  );
  assert.equal(slowFinished, true);
});

test('an abort stops new work and rejects with the reason', async () => {
  const controller = new AbortController();
  const started: number[] = [];
  const pending = mapLimit(
    Array.from({ length: 10 }, (_, i) => i),
    2,
    async (i, _index, signal) => {
      started.push(i);
      await sleep(5);
      signal.throwIfAborted();
      return i;
    },
    { signal: controller.signal },
  );
  setTimeout(() => controller.abort(new Error('user cancelled')), 2);
  await assert.rejects(pending, /^Error: user cancelled$/);
  assert.deepEqual(started, [0, 1]);
  await assert.rejects(mapLimit([1], 1, async (x) => x, { signal: AbortSignal.abort(new Error('early')) }), /early/);
});

test('a generator stopped early is closed', async () => {
  let closed = false;
  function* gen() {
    try {
      for (let i = 0; ; i++) yield i;
    } finally {
      closed = true;
    }
  }
  await assert.rejects(mapLimit(gen(), 2, async (i) => {
    if (i === 3) throw new Error('stop');
    await sleep(1);
  }), /stop/);
  assert.equal(closed, true);
});

test('nonsense limits are refused', async () => {
  await assert.rejects(mapLimit([1], 0, async (x) => x), InvalidArgumentError);
});

test('16 calls each listening three times on the shared signal raise no listener-leak warning', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    const listeners: AbortSignal[] = [];
    await mapLimit(Array.from({ length: 32 }, (_, i) => i), 16, async (i, _index, signal) => {
      for (let k = 0; k < 3; k++) signal.addEventListener('abort', () => {}, { once: true });
      listeners.push(signal);
      await sleep(2);
      return i;
    });
    // 'warning' is emitted on the next tick after the listener that crossed the limit.
    await sleep(5);
    assert.equal(listeners.length, 32);
    assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message), []);
  } finally {
    process.off('warning', onWarning);
  }
});
