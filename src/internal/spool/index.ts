/**
 * @module Spooling a stream to a private temp file, streamed to disk as it arrives: for sources
 * that must be read more than once or whose size must be known first (`docker save` output,
 * ggcr's #1835 held it in memory; a one-shot layer stream; a legacy `layer.tar`). Each spool gets
 * its own 0700 folder with one 0600 file. The folder is removed by `remove()`, when the spool
 * fails half-way, and, for anything still left, when the process exits.
 */
import { createWriteStream, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A spooled file on disk. */
export interface Spool {
  /** The file's path; it stays until `remove()`. */
  readonly path: string;
  /** Removes the file (and its private folder); safe to call more than once. */
  remove(): Promise<void>;
}

/** Options of {@link spoolToFile}. */
export interface SpoolOptions {
  /** Start of the private folder's name, saying whose it is; default `containerregistry-spool-`. */
  readonly prefix?: string;
  /** The file's name in the folder; default `data`. */
  readonly fileName?: string;
  /** Folder to create the private temp folder in; default the system temp folder. */
  readonly tmpDir?: string | undefined;
  /** Pass-throughs the bytes go through on the way to disk (a verifier); their errors fail the spool. */
  readonly transforms?: readonly Duplex[];
  readonly signal?: AbortSignal | undefined;
}

// Folders still on disk, removed synchronously at exit ('exit' handlers cannot wait; a fatal
// signal skips them, and the system temp folder keeps such leftovers).
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

function isReadable(x: unknown): x is Readable {
  return x instanceof Readable;
}

/** The temp folders spools currently hold, for tests that check nothing is left behind. */
export function liveSpools(): readonly string[] {
  return [...live];
}

/**
 * Writes what `source` streams (or what `source()` opens) to `<tmpDir>/<prefix><random>/<fileName>`.
 * When the stream or a transform fails, or `signal` fires, the folder is removed before the error
 * is passed on (an abort rejects with the signal's reason).
 */
export async function spoolToFile(
  source: Readable | AsyncIterable<Uint8Array> | (() => Promise<Readable>),
  options: SpoolOptions = {},
): Promise<Spool> {
  // A stream handed over may fail while the folder is being made: hold its error for the
  // pipeline below (which sees an errored stream) rather than let it go uncaught.
  const held = typeof source !== 'function' && isReadable(source) ? source : undefined;
  const hold = (): void => {};
  held?.on('error', hold);
  let dir: string;
  try {
    dir = await mkdtemp(join(options.tmpDir ?? tmpdir(), options.prefix ?? 'containerregistry-spool-'));
  } catch (err) {
    held?.destroy();
    held?.off('error', hold);
    throw err;
  }
  track(dir);
  const path = join(dir, options.fileName ?? 'data');
  try {
    const input = typeof source === 'function' ? await source() : source;
    const sink = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    await pipeline([input, ...(options.transforms ?? []), sink] as never, options.signal ? { signal: options.signal } : {});
  } catch (err) {
    await forget(dir);
    throw options.signal?.aborted ? options.signal.reason : err;
  } finally {
    held?.off('error', hold);
  }
  return { path, remove: () => forget(dir) };
}
