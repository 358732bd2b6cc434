import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../errors/index.ts';
import { backoffDelay } from './backoff.ts';
import { DEFAULT_BACKOFF, MAX_RETRY_AFTER_MS } from './defaults.ts';
import { retry, type RetryEvent } from './retry.ts';

const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
const fast = { initialDelayMs: 1, factor: 2, jitter: 0 };

test('the defaults are ggcr\'s: 3 attempts, about 1 s then 3 s', () => {
  assert.deepEqual({ ...DEFAULT_BACKOFF }, { attempts: 3, initialDelayMs: 1000, factor: 3, jitter: 0.1 });
  assert.equal(backoffDelay(0, DEFAULT_BACKOFF, () => 0), 1000);
  assert.equal(backoffDelay(1, DEFAULT_BACKOFF, () => 0), 3000);
  assert.equal(backoffDelay(1, DEFAULT_BACKOFF, () => 1), 3300);
});

test('jitter stays within jitter × delay; the cap bounds the base', () => {
  for (let i = 0; i < 100; i++) {
    const d = backoffDelay(2, { initialDelayMs: 100, factor: 2, jitter: 0.5 });
    assert.ok(d >= 400 && d <= 600, String(d));
  }
  assert.equal(backoffDelay(5, { initialDelayMs: 100, factor: 10, jitter: 0, capMs: 250 }), 250);
});

test('retries temporary failures, then succeeds', async () => {
  const events: RetryEvent[] = [];
  let calls = 0;
  const result = await retry(
    async (attempt) => {
      calls++;
      if (attempt < 3) throw reset();
      return 'ok';
    },
    { ...fast, onRetry: (e) => events.push(e) },
  );
  assert.equal(result, 'ok');
  assert.equal(calls, 3);
  assert.deepEqual(events.map((e) => [e.attempt, e.delayMs]), [[1, 1], [2, 2]]);
});

test('gives up after `attempts` tries with the last error', async () => {
  let calls = 0;
  await assert.rejects(
    retry(async () => {
      calls++;
      throw Object.assign(new Error(`reset ${calls}`), { code: 'ECONNRESET' });
    }, { ...fast, attempts: 4 }),
    /^Error: reset 4$/,
  );
  assert.equal(calls, 4);
});

test('does not retry what shouldRetry rejects (by default: not temporary)', async () => {
  let calls = 0;
  await assert.rejects(retry(async () => {
    calls++;
    throw new Error('manifest unknown');
  }, fast), /manifest unknown/);
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(retry(async () => {
    calls++;
    throw new Error('custom');
  }, { ...fast, shouldRetry: (e) => String(e).includes('custom') }), /custom/);
  assert.equal(calls, 3);
});

test('attempts: 1 means one try only', async () => {
  let calls = 0;
  await assert.rejects(retry(async () => {
    calls++;
    throw reset();
  }, { ...fast, attempts: 1 }));
  assert.equal(calls, 1);
});

test('honours a Retry-After longer than the backoff, capped at five minutes', async () => {
  const delays: number[] = [];
  let calls = 0;
  await retry(async () => {
    if (++calls < 3) throw reset();
  }, { ...fast, retryAfterMs: () => 30, onRetry: (e) => delays.push(e.delayMs) });
  assert.deepEqual(delays, [30, 30]);

  assert.equal(MAX_RETRY_AFTER_MS, 300_000);
  const controller = new AbortController();
  const capped: number[] = [];
  const pending = retry(async () => {
    throw reset();
  }, {
    ...fast,
    retryAfterMs: () => 86_400_000,
    onRetry: (e) => {
      capped.push(e.delayMs);
      controller.abort(new Error('not waiting a day'));
    },
    signal: controller.signal,
  });
  await assert.rejects(pending, /not waiting a day/);
  assert.deepEqual(capped, [MAX_RETRY_AFTER_MS]);
});

test('a shorter Retry-After does not shorten the backoff', async () => {
  const delays: number[] = [];
  let calls = 0;
  await retry(async () => {
    if (++calls < 2) throw reset();
  }, { initialDelayMs: 20, jitter: 0, retryAfterMs: () => 0, onRetry: (e) => delays.push(e.delayMs) });
  assert.deepEqual(delays, [20]);
});

test('an abort during the sleep rejects at once with the reason', async () => {
  const controller = new AbortController();
  const started = Date.now();
  const pending = retry(async () => {
    throw reset();
  }, { initialDelayMs: 60_000, signal: controller.signal });
  setTimeout(() => controller.abort(new Error('user hit ^C')), 5);
  await assert.rejects(pending, /user hit \^C/);
  assert.ok(Date.now() - started < 5_000);
});

test('a failure while aborted is reported as the abort and not retried', async () => {
  const controller = new AbortController();
  let calls = 0;
  await assert.rejects(retry(async () => {
    calls++;
    controller.abort(new Error('cancelled'));
    throw reset();
  }, { ...fast, signal: controller.signal }), /^Error: cancelled$/);
  assert.equal(calls, 1);
  await assert.rejects(retry(async () => 1, { signal: AbortSignal.abort(new Error('before')) }), /before/);
});

test('nonsense options are refused', async () => {
  await assert.rejects(retry(async () => 1, { attempts: 0 }), InvalidArgumentError);
  await assert.rejects(retry(async () => 1, { jitter: -1 }), InvalidArgumentError);
});
