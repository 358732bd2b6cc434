/**
 * @module Overall progress of a transfer made of blobs (a pull, a push, a layout write). Each blob
 * counts once, as the furthest point any read or upload of it reached, capped at its size; the
 * total is the sum of the blobs' sizes. So a body that is re-sent, a PATCH that resumes, or a
 * blob read a second time never counts twice, and `complete` reaches `total` only when every
 * blob has. A blob of unknown size adds its bytes to both figures as they pass.
 */
import type { ProgressCallback } from '../../v1/progress.ts';

interface BlobCount {
  readonly size: number;
  reached: number;
}

/** Running figures of one transfer, reported through `report` on every change. */
export class TransferProgress {
  #total = 0;
  #complete = 0;
  readonly #blobs = new Map<string, BlobCount>();
  readonly #report: ProgressCallback | undefined;

  constructor(report?: ProgressCallback) {
    this.#report = report;
  }

  get total(): number {
    return this.#total;
  }

  get complete(): number {
    return this.#complete;
  }

  /**
   * Adds the blob named `key` to the total (the first time that key is seen; `undefined` is a
   * blob with no name yet, never shared) and returns the function that moves its count to
   * `reached` bytes from its start. A negative `size` means unknown.
   */
  blob(key: string | undefined, size: number): (reached: number) => void {
    let count = key === undefined ? undefined : this.#blobs.get(key);
    if (!count) {
      count = { size, reached: 0 };
      if (key !== undefined) this.#blobs.set(key, count);
      if (size > 0) this.#total += size;
      this.#emit();
    }
    const c = count;
    return (reached) => {
      const n = c.size >= 0 ? Math.min(reached, c.size) : reached;
      if (n <= c.reached) return;
      if (c.size < 0) this.#total += n - c.reached;
      this.#complete += n - c.reached;
      c.reached = n;
      this.#emit();
    };
  }

  #emit(): void {
    this.#report?.({ total: this.#total, complete: this.#complete });
  }
}
