/**
 * @module Walking the disk backend's trees: the repositories under `repositories/` (names nest,
 * `a/b/c`, and a repository may sit inside another) and the blobs under `blobs/`. Anything that
 * is not a name the storage could have written is skipped, never followed.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Hash } from '../../v1/hash.ts';
import { isMissing, listDirectory } from './disk-files.ts';
import type { DiskLayout } from './disk-layout.ts';
import { compare } from './gc-plan.ts';

const component = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const hexOf: Record<string, RegExp> = { sha256: /^[0-9a-f]{64}$/, sha512: /^[0-9a-f]{128}$/ };

/** The digest algorithms a storage directory may hold, each a subdirectory name. */
export const ALGORITHMS = ['sha256', 'sha512'] as const;

/**
 * Names of the repositories whose directory holds any of `markers` (`_manifests`, `_layers`,
 * `_uploads`), sorted. Directories starting with `_` are the storage's own and not descended.
 */
export async function findRepositories(layout: DiskLayout, markers: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw err;
    }
    if (prefix !== '' && entries.some((e) => e.isDirectory() && markers.includes(e.name))) found.push(prefix);
    for (const e of entries) {
      if (!e.isDirectory() || !component.test(e.name)) continue;
      await walk(join(dir, e.name), prefix === '' ? e.name : `${prefix}/${e.name}`);
    }
  };
  await walk(layout.repositories, '');
  return found.sort(compare);
}

/** Digests named by the entries of `dir/<alg>/` (link directories, revision directories). */
export async function digestsIn(dir: string): Promise<Hash[]> {
  const found: Hash[] = [];
  for (const algorithm of ALGORITHMS) {
    for (const hex of await listDirectory(join(dir, algorithm))) {
      if (hexOf[algorithm]!.test(hex)) found.push(new Hash(algorithm, hex));
    }
  }
  return found;
}

/** Every stored blob with its size, sorted by digest. */
export async function listBlobs(layout: DiskLayout): Promise<{ digest: Hash; size: number }[]> {
  const found: { digest: Hash; size: number }[] = [];
  for (const algorithm of ALGORITHMS) {
    for (const prefix of await listDirectory(join(layout.blobs, algorithm))) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const hex of await listDirectory(join(layout.blobs, algorithm, prefix))) {
        if (!hexOf[algorithm]!.test(hex) || !hex.startsWith(prefix)) continue;
        const digest = new Hash(algorithm, hex);
        try {
          found.push({ digest, size: (await stat(layout.blob(digest))).size });
        } catch (err) {
          if (!isMissing(err)) throw err;
        }
      }
    }
  }
  return found.sort((a, b) => compare(a.digest.toString(), b.digest.toString()));
}
