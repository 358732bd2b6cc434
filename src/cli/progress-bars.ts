/**
 * @module Progress bars for long transfers on a terminal: one per blob and one overall (through
 * `cli-progress`), and nothing at all when stderr is not a TTY, so piped output stays clean.
 */
import type { CraneOptions } from '../crane/options.ts';

type Bars = { overall?: { setTotal(n: number): void; update(n: number): void }; stop(): void };

/** Adds bar callbacks to `options` when stderr is a terminal; call `stop()` when the work ends. */
export async function withProgressBars<T extends CraneOptions>(options: T): Promise<{ options: T; stop: () => void }> {
  if (!process.stderr.isTTY || process.env['CI']) return { options, stop: () => {} };
  const { MultiBar, Presets } = (await import('cli-progress')).default;
  const multi = new MultiBar(
    { stream: process.stderr, hideCursor: true, clearOnComplete: false, format: '{name} [{bar}] {percentage}% | {value}/{total} bytes', autopadding: true },
    Presets.shades_classic,
  );
  const overall = multi.create(1, 0, { name: 'overall'.padEnd(19) });
  const blobs = new Map<string, ReturnType<typeof multi.create>>();
  const bars: Bars = { stop: () => multi.stop() };
  return {
    options: {
      ...options,
      onProgress: (u) => {
        overall.setTotal(Math.max(u.total, 1));
        overall.update(u.complete);
        options.onProgress?.(u);
      },
      onBlobProgress: (b) => {
        let bar = blobs.get(b.digest);
        if (!bar) {
          bar = multi.create(Math.max(b.total, 1), 0, { name: b.digest.slice(7, 26) });
          blobs.set(b.digest, bar);
        }
        bar.update(b.complete);
        options.onBlobProgress?.(b);
      },
    },
    stop: bars.stop,
  };
}
