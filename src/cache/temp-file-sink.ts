/**
 * @module A `TeeSink` that writes a temp file beside its final name and renames it into place on
 * commit: readers of the cache see a whole, verified file or none, and two writers of the same
 * entry each rename a whole file (the later rename replaces the earlier with the same bytes).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { TeeSink } from './verified-tee.ts';

/** The prefix of temp files in a cache folder, so stale ones (from a killed process) are recognisable. */
export const TEMP_PREFIX = '.tmp-';

async function writeAll(fh: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await fh.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

class TempFileSink implements TeeSink {
  readonly #fh: FileHandle;
  readonly #temp: string;
  readonly #final: string;
  // commit and abort can race (a reader destroys the stream while the end is being committed);
  // running them one after the other keeps the outcome one or the other, never half of each.
  #settled: Promise<void> | undefined;
  #closed = false;

  constructor(fh: FileHandle, temp: string, final: string) {
    this.#fh = fh;
    this.#temp = temp;
    this.#final = final;
  }

  write(chunk: Buffer): Promise<void> {
    return writeAll(this.#fh, chunk);
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // FileHandle.close waits for a write still in flight.
    await this.#fh.close();
  }

  commit(): Promise<void> {
    this.#settled ??= (async () => {
      await this.#close();
      await rename(this.#temp, this.#final);
    })().catch(async (err: unknown) => {
      await rm(this.#temp, { force: true });
      throw err;
    });
    return this.#settled;
  }

  abort(): Promise<void> {
    this.#settled ??= (async () => {
      await this.#close().catch(() => {});
      await rm(this.#temp, { force: true });
    })();
    return this.#settled.catch(() => {});
  }
}

/**
 * Creates `dir` (0700, as ggcr's cache does) if needed and opens a fresh temp file in it for the
 * entry `name`. The temp name is random, so concurrent writers never share a file.
 */
export async function tempFileSink(dir: string, name: string): Promise<TeeSink> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}-${name}`);
  // 'wx': never write through a file or link that someone else put at this name.
  const fh = await open(temp, 'wx');
  return new TempFileSink(fh, temp, join(dir, name));
}
