/**
 * @module Starting an upload's writeback early. Completing an upload fsyncs its data file before
 * the rename makes it a blob, and clients upload layers one after another, so that fsync sits
 * between two layers: measured 0.3 s of a 2.1 s skopeo push of 600 MiB, each PUT waiting for a
 * whole 64 MiB layer to reach the disk. While a chunk streams in, every {@link WRITEBACK_EVERY}
 * bytes a datasync of the file is started in the background (on a handle of its own, not
 * awaited), so the disk writes while the network reads and the final fsync finds little left.
 * Best effort: a failed background sync is ignored, the fsync at completion is the guarantee.
 */
import { open } from 'node:fs/promises';

/** Bytes written between two background syncs. */
export const WRITEBACK_EVERY = 8 * 1024 * 1024;

/** Counts bytes written to `path` and starts a background datasync every so often. */
export class EarlyWriteback {
  readonly #path: string;
  readonly #tracker: Set<Promise<void>> | undefined;
  #unsynced = 0;
  #running: Promise<void> | undefined;

  /** `tracker` holds each sync while it runs, so an owner can wait for them before it closes. */
  constructor(path: string, tracker?: Set<Promise<void>>) {
    this.#path = path;
    this.#tracker = tracker;
  }

  /** Notes that `bytes` more reached the file (after the write completed). */
  written(bytes: number): void {
    this.#unsynced += bytes;
    // One sync at a time: a second one would only queue behind the first.
    if (this.#unsynced < WRITEBACK_EVERY || this.#running) return;
    this.#unsynced = 0;
    const running: Promise<void> = syncFile(this.#path)
      .catch(() => {})
      .finally(() => {
        this.#running = undefined;
        this.#tracker?.delete(running);
      });
    this.#running = running;
    this.#tracker?.add(running);
  }

  /** The sync running now, if any. */
  get running(): Promise<void> | undefined {
    return this.#running;
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
