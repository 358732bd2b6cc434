/**
 * @module Writing a legacy archive to a file atomically: the archive goes to a temp file beside
 * the target and is renamed over it only once complete, so the target is either the whole
 * archive or left as it was (ggcr writes to the path directly).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
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
 * Writes several images as one legacy archive at `path`. The bytes go to `.<name>.<random>.tmp`
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
  const target = resolve(path);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const { signal } = options;
  const source = multiWrite(images, options);
  try {
    // 'wx': never write through a file (or a link) someone else put at this name meanwhile.
    await pipeline(source, createWriteStream(temp, { flags: 'wx' }), signal ? { signal } : {});
    await rename(temp, target);
  } catch (err) {
    source.destroy(err as Error);
    await rm(temp, { force: true });
    throw err;
  }
}
