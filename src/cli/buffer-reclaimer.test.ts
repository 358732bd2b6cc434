import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BUSY_INTERVAL_MS, IDLE_INTERVAL_MS, isIdle, nextBaseline, nextInterval } from './buffer-reclaimer.ts';

test('isIdle: only an all but unused event loop with Buffer memory standing still', () => {
  assert.equal(isIdle(0.001, 20 << 20, (20 << 20) + 1000), true);
  assert.equal(isIdle(0.5, 20 << 20, 20 << 20), false, 'a steady transfer keeps the level but not the loop idle');
  assert.equal(isIdle(0.001, 1 << 20, 8 << 20), false);
  assert.equal(isIdle(0.001, 8 << 20, 1 << 20), false);
});

test('nextInterval: full speed unless idle, then doubling up to the idle interval', () => {
  const waits = [BUSY_INTERVAL_MS];
  for (let i = 0; i < 8; i++) waits.push(nextInterval(waits.at(-1)!, true));
  assert.deepEqual(waits.slice(0, 3), [BUSY_INTERVAL_MS, BUSY_INTERVAL_MS * 2, BUSY_INTERVAL_MS * 4]);
  assert.ok(waits.every((w, i) => i === 0 || w === Math.min(waits[i - 1]! * 2, IDLE_INTERVAL_MS)));
  assert.equal(waits.at(-1), IDLE_INTERVAL_MS);
  assert.equal(nextInterval(IDLE_INTERVAL_MS, false), BUSY_INTERVAL_MS);
});

/** Checks (reads of V8's heap statistics) in a child that starts the reclaimer and then idles 1.2 s. */
async function idleChecks(setup: string): Promise<number> {
  const script = `
    import v8 from 'node:v8';
    import { syncBuiltinESMExports } from 'node:module';
    ${setup}
    let checks = 0;
    const real = v8.getHeapStatistics;
    v8.getHeapStatistics = () => { checks++; return real(); };
    syncBuiltinESMExports();
    const { startBufferReclaimer } = await import(${JSON.stringify(new URL('./buffer-reclaimer.js', import.meta.url).href)});
    startBufferReclaimer();
    setTimeout(() => console.log(checks), 1200);
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  return Number(stdout.trim());
}

test('an idle process checks about 25 times a second, not a hundred', async () => {
  // A fixed 10 ms timer makes ~120; backing off makes ~32.
  const checks = await idleChecks('');
  assert.ok(checks >= 3, `the reclaimer ran (${checks} checks)`);
  assert.ok(checks <= 50, `idle checks in 1.2 s: ${checks}`);
});

test('an idle process that holds Buffers idles too, instead of collecting at every check', async () => {
  // 32 MiB held for good, as a registry serving from memory: over the limit at every check.
  const checks = await idleChecks('globalThis.held = Array.from({ length: 32 }, () => Buffer.alloc(1 << 20, 1));');
  assert.ok(checks <= 50, `checks in 1.2 s while holding 32 MiB: ${checks}`);
});

test('a slow transfer is not idle for long: growth under the per-check threshold adds up', () => {
  // 100 KiB a check with the loop nearly unused: each step alone is under the 256 KiB threshold.
  let baseline = 4 << 20;
  let external = baseline;
  const idleness: boolean[] = [];
  for (let i = 0; i < 6; i++) {
    external += 100 * 1024;
    const idle = isIdle(0.001, baseline, external);
    idleness.push(idle);
    baseline = nextBaseline(baseline, external, idle);
  }
  assert.deepEqual(idleness, [true, true, false, true, true, false]);
  assert.equal(nextBaseline(8 << 20, 2 << 20, true), 2 << 20, 'a fall is taken at once');
});
