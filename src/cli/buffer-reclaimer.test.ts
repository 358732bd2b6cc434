import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { BUSY_INTERVAL_MS, IDLE_INTERVAL_MS, nextInterval } from './buffer-reclaimer.ts';

test('nextInterval: full speed when Buffer memory moved or a collection was asked for', () => {
  assert.equal(nextInterval(IDLE_INTERVAL_MS, 1 << 20, 8 << 20, false), BUSY_INTERVAL_MS);
  assert.equal(nextInterval(IDLE_INTERVAL_MS, 8 << 20, 1 << 20, false), BUSY_INTERVAL_MS);
  assert.equal(nextInterval(IDLE_INTERVAL_MS, 1 << 20, 1 << 20, true), BUSY_INTERVAL_MS);
});

test('nextInterval: doubles while nothing moves, up to the idle interval', () => {
  const waits = [BUSY_INTERVAL_MS];
  for (let i = 0; i < 8; i++) waits.push(nextInterval(waits.at(-1)!, 1 << 20, (1 << 20) + 1000, false));
  assert.deepEqual(waits.slice(0, 4), [BUSY_INTERVAL_MS, BUSY_INTERVAL_MS * 2, BUSY_INTERVAL_MS * 4, BUSY_INTERVAL_MS * 8]);
  assert.equal(waits.at(-1), IDLE_INTERVAL_MS);
  assert.ok(waits.every((w) => w <= IDLE_INTERVAL_MS));
});

test('an idle process checks about ten times a second, not a hundred', async () => {
  // Counts the reclaimer's checks (each reads V8's heap statistics) in a child that does nothing
  // for 1.2 s. A fixed 10 ms timer makes ~120; backing off makes ~15.
  const script = `
    import v8 from 'node:v8';
    import { syncBuiltinESMExports } from 'node:module';
    let checks = 0;
    const real = v8.getHeapStatistics;
    v8.getHeapStatistics = () => { checks++; return real(); };
    syncBuiltinESMExports();
    const { startBufferReclaimer } = await import(${JSON.stringify(new URL('./buffer-reclaimer.js', import.meta.url).href)});
    startBufferReclaimer();
    setTimeout(() => console.log(checks), 1200);
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  const checks = Number(stdout.trim());
  assert.ok(checks >= 3, `the reclaimer ran (${checks} checks)`);
  assert.ok(checks <= 30, `idle checks in 1.2 s: ${checks}`);
});
