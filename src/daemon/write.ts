/**
 * @module Putting images into the Docker daemon (ggcr's `daemon.Write` and `daemon.Tag`): an image
 * the daemon already has (same config digest, which is Docker's image ID) is only tagged;
 * otherwise its `docker load` tarball is streamed straight into the Engine, never staged on disk.
 */
import { NotFoundError } from '../errors/index.ts';
import { Tag, type Reference } from '../name/index.ts';
import { write as tarballWrite } from '../tarball/write.ts';
import type { Hash } from '../v1/hash.ts';
import type { Image } from '../v1/interfaces.ts';
import type { ProgressCallback } from '../v1/progress.ts';
import type { Client } from './client.ts';
import { resolveClient, type DaemonOptions } from './options.ts';

/** Options of {@link write}. */
export interface WriteOptions extends DaemonOptions {
  /** Progress of the tarball streamed to the daemon (not called when the image is only tagged). */
  readonly onProgress?: ProgressCallback;
}

/**
 * Writes `img` to the daemon as `tag` and resolves to the daemon's answer to the load (its
 * JSON message lines, e.g. `{"stream":"Loaded image: x:y\n"}`), or '' when the daemon already
 * had the image and it was only tagged. A load the daemon refuses rejects with DaemonError.
 *
 * @example
 * await daemon.write('example.com/app:dev', random.image(1024, 2));
 */
export async function write(tag: Tag | string, img: Image, options: WriteOptions = {}): Promise<string> {
  const client = resolveClient(options);
  const target = typeof tag === 'string' ? Tag.parse(tag) : tag;
  const { signal } = options;
  const id = await img.configName();
  if (await hasImage(client, id, signal)) {
    await client.imageTag(id.toString(), target.repository.name(), target.tagStr(), { signal });
    return '';
  }
  const tarball = tarballWrite(target, img, { ...(signal ? { signal } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  try {
    return await client.imageLoad(tarball, { signal });
  } finally {
    // A refused load may leave the writer mid-layer; stop reading the image.
    tarball.destroy();
  }
}

/**
 * Tags the daemon's image `src` (a reference, or any name the Engine takes, such as an image ID)
 * as `dst` (ggcr's `daemon.Tag`). NotFoundError when the daemon has no `src`.
 *
 * @example
 * await daemon.tag('example.com/app:dev', 'example.com/app:stable');
 */
export async function tag(src: Reference | string, dst: Tag | string, options: DaemonOptions = {}): Promise<void> {
  const client = resolveClient(options);
  const target = typeof dst === 'string' ? Tag.parse(dst) : dst;
  const source = typeof src === 'string' ? src : src.name();
  await client.imageTag(source, target.repository.name(), target.tagStr(), { signal: options.signal });
}

/** Whether the daemon has the image with this ID (an inspect by ID answers with that ID). */
async function hasImage(client: Client, id: Hash, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    return (await client.imageInspect(id.toString(), { signal })).Id === id.toString();
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
}
