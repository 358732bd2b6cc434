/**
 * @module Spooling a `docker save` stream to a private temp file, streamed to disk as it arrives
 * (ggcr's default holds the whole tarball in memory, #1835). The file is removed when its owner
 * is closed, when the spool fails half-way, and, for anything still left, when the process exits.
 */
import { createWriteStream, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A spooled tarball on disk. */
export interface Spool {
  /** The file's path; it stays until `remove()`. */
  readonly path: string;
  /** Removes the file (and its private folder); safe to call more than once. */
  remove(): Promise<void>;
}

/** Options of {@link spoolToFile}. */
export interface SpoolOptions {
  /** Folder to create the private temp folder in; default the system temp folder. */
  readonly tmpDir?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

// Folders still on disk, removed synchronously at exit ('exit' handlers cannot wait).
const live = new Set<string>();
let exitHookInstalled = false;

function track(dir: string): void {
  live.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const d of live) rmSync(d, { recursive: true, force: true });
  });
}

async function forget(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  live.delete(dir);
}

/** The temp folders spools currently hold, for tests that check nothing is left behind. */
export function liveSpools(): readonly string[] {
  return [...live];
}

/**
 * Writes what `open()` streams to `<tmpDir>/containerregistry-daemon-XXXXXX/image.tar` (folder
 * 0700, file 0600). When the stream fails or `signal` fires, the file is removed before the
 * error is passed on.
 */
export async function spoolToFile(open: () => Promise<Readable>, options: SpoolOptions = {}): Promise<Spool> {
  const dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), 'containerregistry-daemon-'));
  track(dir);
  const path = join(dir, 'image.tar');
  try {
    const source = await open();
    await pipeline(source, createWriteStream(path, { flags: 'wx', mode: 0o600 }), options.signal ? { signal: options.signal } : {});
  } catch (err) {
    await forget(dir);
    throw options.signal?.aborted ? options.signal.reason : err;
  }
  return { path, remove: () => forget(dir) };
}
