/**
 * @module The file operations the disk backend is built from, each safe against a crash at any
 * moment: a file appears under its final name only complete (written in `tmp/`, flushed, renamed),
 * and the rename is flushed to its directory before anything that depends on it is written.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DiskLayout } from './disk-layout.ts';

/** Whether to fsync. Off only where durability does not matter (tests on a throwaway root). */
export interface Durability {
  readonly fsync: boolean;
}

/** True for errors meaning "that path is not there". */
export function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Flushes a directory, making the renames and creations in it durable. */
export async function syncDirectory(dir: string): Promise<void> {
  // Windows cannot open a directory to flush it; NTFS journals renames itself.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Renames `from` to `to`, creating `to`'s directories. With fsync, the directory entry (and any
 * directory created for it) is flushed, so what is written next cannot outlive it in a crash.
 */
export async function renameInto(from: string, to: string, durability: Durability): Promise<void> {
  const parent = dirname(to);
  const created = await mkdir(parent, { recursive: true });
  await rename(from, to);
  if (!durability.fsync) return;
  await syncDirectory(parent);
  if (created !== undefined) await syncDirectory(dirname(created));
}

/** Writes `data` to `path` atomically: a reader sees the old content or the new, never a mix. */
export async function writeFileAtomic(layout: DiskLayout, path: string, data: Uint8Array | string, durability: Durability): Promise<void> {
  const tmp = layout.temp(`file-${randomUUID()}`);
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      if (durability.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await renameInto(tmp, path, durability);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** The file's bytes, or undefined when it does not exist. */
export async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** Removes a file; false when it was not there. */
export async function removeIfExists(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

/** True when something exists at `path`. */
export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}

/** The names in a directory, or none when it does not exist. */
export async function listDirectory(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}
