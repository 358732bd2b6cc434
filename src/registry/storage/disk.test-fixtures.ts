/**
 * @module Fixtures for tests of the disk backend: a fresh root under the temp folder, and a
 * storage opened on it, both gone when the test ends.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { createDiskStorage } from './disk.ts';
import type { RegistryStorage } from './types.ts';

/** A root folder (not yet created) inside a fresh temp folder, removed after the test. */
export async function tempRoot(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cr-storage-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return join(dir, 'root');
}

/** A disk storage (no fsync: tests need not survive power loss) on a fresh root, closed after the test. */
export async function tempDiskStorage(t: TestContext): Promise<{ root: string; storage: RegistryStorage }> {
  const root = await tempRoot(t);
  const storage = await createDiskStorage(root, { fsync: false });
  t.after(() => storage.close());
  return { root, storage };
}
