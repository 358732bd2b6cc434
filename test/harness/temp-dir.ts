/**
 * @module Per-test temporary folders under the system temp dir, removed even when what ran in them
 * left read-only files behind (umoci writes blobs 0600, dockerd's vfs driver keeps 0555 dirs).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Makes a fresh folder named `containerregistry-<label>-XXXXXX` under the system temp dir. */
export function makeTempDir(label: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `containerregistry-${label}-`));
}

/** Removes `dir` and everything in it; missing is fine. Retries briefly for files still closing. */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
}

/** A fresh folder for one test (`t`), removed when the test ends. */
export async function tempDirFor(t: { after(fn: () => unknown): void }, label: string): Promise<string> {
  const dir = await makeTempDir(label);
  t.after(() => removeTempDir(dir));
  return dir;
}
