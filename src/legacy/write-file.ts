/**
 * @module Writing a legacy archive to a file atomically: the archive goes to a temp file beside
 * the target and is renamed over it only once complete, so the target is either the whole
 * archive or left as it was (ggcr writes to the path directly).
 */
import { resolve } from 'node:path';
import { writeStreamAtomic } from '../internal/atomic-file/index.ts';
import type { Reference } from '../name/index.ts';
import type { Image } from '../v1/interfaces.ts';
import { multiWrite, type LegacyWriteOptions } from './write.ts';

/**
 * Writes `img` under `ref` as a legacy archive at `path`, atomically.
 *
 * @example
 * await legacy.writeToFile('app.tar', Tag.parse('app:v1'), img);
 */
export function writeToFile(path: string, ref: Reference, img: Image, options: LegacyWriteOptions = {}): Promise<void> {
  return multiWriteToFile(path, [[ref, img]], options);
}

/**
 * Writes several images as one legacy archive at `path`. The bytes go to `.tmp-<name>-<random>`
 * in the same folder (a rename cannot cross filesystems) and are renamed to `path` when
 * complete; on any failure, an abort included, the temp file is removed and `path` is untouched.
 *
 * @example
 * await legacy.multiWriteToFile('all.tar', [[Tag.parse('a:1'), a], [Tag.parse('b:1'), b]]);
 */
export async function multiWriteToFile(
  path: string,
  images: Iterable<readonly [Reference, Image]>,
  options: LegacyWriteOptions = {},
): Promise<void> {
  await writeStreamAtomic(resolve(path), multiWrite(images, options), [], { signal: options.signal, createParent: false });
}
