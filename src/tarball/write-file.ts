/**
 * @module Writing a tarball to a file atomically (ggcr's `tarball.WriteToFile` and friends, which
 * write the target in place): the archive goes to a temp file beside the target and is renamed
 * over it only once every layer has been verified, so the target is either the whole tarball or
 * left as it was.
 */
import { resolve } from 'node:path';
import { writeStreamAtomic } from '../internal/atomic-file/index.ts';
import type { Reference, Tag } from '../name/index.ts';
import type { Image } from '../v1/interfaces.ts';
import type { TarballImages } from './write-plan.ts';
import { multiRefWrite, type TarballWriteOptions } from './write.ts';
import { holdFinalUpdate } from './write-progress.ts';

/**
 * Writes one image under `ref` as a tarball at `path` (ggcr's `tarball.WriteToFile`), atomically.
 *
 * @example
 * await tarball.writeToFile('app.tar', Tag.parse('app:v1'), img);
 */
export function writeToFile(path: string, ref: Reference, img: Image, options: TarballWriteOptions = {}): Promise<void> {
  return multiRefWriteToFile(path, [[ref, img]], options);
}

/**
 * Writes several tagged images as one tarball at `path` (ggcr's `tarball.MultiWriteToFile`).
 *
 * @example
 * await tarball.multiWriteToFile('all.tar', [[Tag.parse('a:1'), a], [Tag.parse('b:1'), b]]);
 */
export function multiWriteToFile(
  path: string,
  images: Iterable<readonly [Tag, Image]>,
  options: TarballWriteOptions = {},
): Promise<void> {
  return multiRefWriteToFile(path, images, options);
}

/**
 * Writes several images as one tarball at `path` (ggcr's `tarball.MultiRefWriteToFile`). The
 * archive is written to `.tmp-<name>-<random>` in the same folder (so the rename cannot cross
 * filesystems) and renamed to `path` once complete; on any failure, an abort included, the temp
 * file is removed and `path` is untouched. The final progress update (`complete === total`) is
 * sent after the rename. The bytes are fsynced before the rename (ggcr's are not).
 *
 * @example
 * await tarball.multiRefWriteToFile('out.tar', [[ref, img]], { onProgress: (u) => bar.update(u.complete, u.total) });
 */
export async function multiRefWriteToFile(path: string, images: TarballImages, options: TarballWriteOptions = {}): Promise<void> {
  const { signal } = options;
  const progress = holdFinalUpdate(options.onProgress);
  const source = multiRefWrite(images, {
    ...(signal ? { signal } : {}),
    ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
  });
  try {
    await writeStreamAtomic(resolve(path), source, [], { signal, createParent: false });
  } catch (err) {
    // A failure on the file side (disk full, abort) ends the source too; make sure it reports.
    progress.fail(err as Error);
    throw err;
  }
  progress.release();
}
