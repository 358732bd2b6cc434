/**
 * @module A layer's tar spooled to a private temp file, for the legacy format's `layer.tar`
 * entries: a tar header needs the size before the bytes, and an image rarely knows the size of
 * its uncompressed layers. ggcr reads the layer twice (once to count, once to write), which for a
 * remote image is two downloads; spooling reads it once, verifying its diffID on the way to disk,
 * and the archive is then written from the file. Memory stays flat; disk holds one layer at a time.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Hash } from '../v1/hash.ts';
import type { Layer } from '../v1/interfaces.ts';
import { SIZE_UNKNOWN, verifyStream } from '../internal/verify/index.ts';
import { spoolToFile } from '../internal/spool/index.ts';

/** A spooled tar: its size, a stream over it, and the removal of the file (also done when the stream closes). */
export interface SpooledTar {
  readonly size: number;
  readonly body: Readable;
  cleanup(): Promise<void>;
}

/** Reads `layer`'s tar once into a private temp file, checked against `diffID`. */
export async function spoolLayerTar(layer: Layer, diffID: Hash, what: string, signal: AbortSignal | undefined): Promise<SpooledTar> {
  const spool = await spoolToFile(() => layer.uncompressed(signal ? { signal } : {}), {
    prefix: 'containerregistry-legacy-',
    fileName: 'layer.tar',
    transforms: [verifyStream({ digest: diffID, size: SIZE_UNKNOWN, what })],
    signal,
  });
  try {
    const { size } = await stat(spool.path);
    const body: ReadStream = createReadStream(spool.path);
    // A backstop: the writer awaits cleanup() itself, so the file is gone before the archive ends.
    body.once('close', () => void spool.remove());
    return { size, body, cleanup: () => spool.remove() };
  } catch (err) {
    await spool.remove();
    throw err;
  }
}
