/**
 * @module Keeps the CLI's resident memory flat during transfers. Streaming hundreds of MiB
 * through 64 KiB Buffers creates garbage that lives outside V8's heap: a Buffer's bytes are
 * freed only when its small wrapper is collected, and V8 schedules young-generation collections
 * by heap allocation, which streaming barely does. So dead chunks pile up (~30 MiB measured on a
 * 600 MiB pull) until V8's external-memory limit forces a full collection. Asking for a
 * young-generation collection whenever dead-or-alive ArrayBuffer memory passes a few MiB frees
 * them at once: measured 107 → 87 MiB peak RSS on `crane pull` of 600 MiB, with no measurable
 * change in time (a scavenge of a 2 MiB semi-space takes well under a millisecond).
 *
 * The check backs off while the process is idle, so an idle `crane registry serve` wakes 25 times
 * a second rather than a hundred; the first check that sees work returns to full speed. The
 * longest wait stays short because a transfer that starts just after a check piles up chunks
 * until the next one: the registry's peak RSS over a skopeo push + pull rose by ~20 MiB with
 * 100 ms (skopeo pauses between layers, long enough to back off); with 40 ms it is within the
 * run-to-run spread of the fixed 10 ms timer.
 *
 * The library never does this: how a process manages its heap is its owner's decision.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * External (Buffer / ArrayBuffer) memory above which a collection is asked for: ~8 MiB of chunks
 * over what a started CLI holds (~1.5 MiB). Read from V8's heap statistics (0.4 µs) rather than
 * `process.memoryUsage()` (8 µs: it reads /proc for the RSS), measured at 100 checks a second.
 */
const LIMIT = 10 * 1024 * 1024;
/** How often it is checked while Buffer memory moves: at ~500 MB/s, 10 ms is ~5 MiB of chunks. */
export const BUSY_INTERVAL_MS = 10;
/** The longest wait between checks when nothing moves (see the module comment for why so short). */
export const IDLE_INTERVAL_MS = 40;
/** Less change than this between two checks, with the event loop all but idle, is idleness. */
const STILL_BYTES = 256 * 1024;
const IDLE_UTILISATION = 0.05;

/**
 * Whether the process was idle since the last check: its event loop almost unused and its
 * Buffer memory where it was. Either alone misleads. Memory read right after collections stays
 * level during a steady transfer (what one collection frees the next 10 ms allocate again), and
 * skipping collections then let chunks reach the old generation: 15 full collections instead of
 * 1 on a 600 MiB pull, +12 MiB peak RSS. An idle process that holds Buffers (a `registry serve`
 * keeping blobs in memory) stays over {@link LIMIT}, and collecting it would free nothing, at
 * full speed, for ever.
 */
export function isIdle(utilisation: number, previousExternal: number, external: number): boolean {
  return utilisation < IDLE_UTILISATION && Math.abs(external - previousExternal) < STILL_BYTES;
}

/**
 * The level the next check measures movement from. An idle check keeps the old one, so a slow
 * transfer's growth (under 256 KiB a check: a 2.5 MB/s download) adds up until it counts as
 * movement and gets its collections; a fall is always taken.
 */
export function nextBaseline(previous: number, external: number, idle: boolean): number {
  return !idle || external < previous ? external : previous;
}

/** The wait before the next check: full speed unless idle, then twice the last wait up to {@link IDLE_INTERVAL_MS}. */
export function nextInterval(lastInterval: number, idle: boolean): number {
  return idle ? Math.min(lastInterval * 2, IDLE_INTERVAL_MS) : BUSY_INTERVAL_MS;
}

type GC = (options: { type: 'minor' | 'major'; execution: 'sync' | 'async' }) => void;

/** Starts the check; its timer never keeps the process alive. */
export function startBufferReclaimer(): void {
  let gc: GC | undefined;
  let interval = BUSY_INTERVAL_MS;
  let previous = getHeapStatistics().external_memory;
  let loop = performance.eventLoopUtilization();
  const check = (): void => {
    const external = getHeapStatistics().external_memory;
    const now = performance.eventLoopUtilization();
    const idle = isIdle(performance.eventLoopUtilization(now, loop).utilization, previous, external);
    loop = now;
    const collect = external >= LIMIT && !idle;
    if (collect) {
      if (!gc) {
        // `gc` exists only in contexts created after the flag is set; made on first need, so
        // short commands never pay for the new context.
        setFlagsFromString('--expose-gc');
        gc = runInNewContext('gc') as GC;
      }
      gc({ type: 'minor', execution: 'sync' });
    }
    interval = nextInterval(interval, idle);
    previous = collect ? getHeapStatistics().external_memory : nextBaseline(previous, external, idle);
    setTimeout(check, interval).unref();
  };
  setTimeout(check, interval).unref();
}
