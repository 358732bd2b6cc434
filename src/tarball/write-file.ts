/**
 * @module Writing a tarball to a file atomically (ggcr's `tarball.WriteToFile` and friends, which
 * write the target in place): the archive goes to a temp file beside the target and is renamed
 * over it only once every layer has been verified, so the target is either the whole tarball or
 * left as it was.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
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
 * archive is written to `.<name>.<random>.tmp` in the same folder (so the rename cannot cross
 * filesystems) and renamed to `path` once complete; on any failure, an abort included, the temp
 * file is removed and `path` is untouched. The final progress update (`complete === total`) is
 * sent after the rename. The file is not fsynced, as ggcr's is not.
 *
 * @example
 * await tarball.multiRefWriteToFile('out.tar', [[ref, img]], { onProgress: (u) => bar.update(u.complete, u.total) });
 */
export async function multiRefWriteToFile(path: string, images: TarballImages, options: TarballWriteOptions = {}): Promise<void> {
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const { signal } = options;
  const progress = holdFinalUpdate(options.onProgress);
  const source = multiRefWrite(images, {
    ...(signal ? { signal } : {}),
    ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
  });
  try {
    // 'wx': never write through a file (or a link) someone else put at this name meanwhile.
    await pipeline(source, createWriteStream(temp, { flags: 'wx' }), signal ? { signal } : {});
    await rename(temp, target);
  } catch (err) {
    // A failure on the file side (disk full, abort) ends the source too; make sure it reports.
    source.destroy(err as Error);
    await rm(temp, { force: true });
    progress.fail(err as Error);
    throw err;
  }
  progress.release();
}
