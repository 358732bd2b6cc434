/**
 * @module Progress of a tarball being written, as ggcr's `progressWriter`: the total first, then
 * the bytes produced so far after each chunk, ending with `complete === total`, or one update
 * carrying the error that stopped it.
 */
import type { ProgressCallback, Update } from '../v1/progress.ts';

/** Counts bytes and reports them; every method is a no-op without a callback. */
export class WriteProgress {
  readonly #callback: ProgressCallback | undefined;
  #total = 0;
  #complete = 0;
  #ended = false;

  constructor(callback: ProgressCallback | undefined) {
    this.#callback = callback;
  }

  get complete(): number {
    return this.#complete;
  }

  /** The archive's size is known: report it before any byte. */
  start(total: number): void {
    this.#total = total;
    this.#send({ total, complete: 0 });
  }

  /** `n` more bytes were handed to the reader. */
  add(n: number): void {
    this.#complete += n;
    this.#send({ total: this.#total, complete: this.#complete });
  }

  /** Writing stopped with `error`: one final update says so. Later calls are ignored. */
  fail(error: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#send({ total: this.#total, complete: this.#complete, error });
  }

  /** Writing finished; nothing more will be reported (in particular no error). */
  end(): void {
    this.#ended = true;
  }

  #send(update: Update): void {
    this.#callback?.(update);
  }
}

/**
 * Wraps `callback` so the last update (`complete === total`, no error) is held back until
 * `release()`: a file written through a temp name is not finished until it has been renamed, and a
 * rename can still fail, which `fail()` then reports (once, whoever saw the error first).
 */
export function holdFinalUpdate(callback: ProgressCallback | undefined): {
  onProgress: ProgressCallback | undefined;
  release(): void;
  fail(error: Error): void;
} {
  if (!callback) return { onProgress: undefined, release() {}, fail() {} };
  let last: Update = { total: 0, complete: 0 };
  let held = false;
  let failed = false;
  return {
    onProgress(update) {
      if (update.error) {
        if (failed) return;
        failed = true;
      }
      last = update;
      if (!update.error && update.total > 0 && update.complete === update.total) held = true;
      else callback(update);
    },
    release() {
      if (held && !failed) callback(last);
      held = false;
    },
    fail(error) {
      if (failed) return;
      failed = true;
      callback({ total: last.total, complete: last.complete, error });
    },
  };
}
