/**
 * @module The uncompressed size of a cache-wrapped layer (`partial.uncompressedSize` asks for it,
 * and the legacy writer before every layer.tar): the wrapped layer's own answer when it knows one,
 * else the size of the tar already in the cache, else counted by reading the wrapper's
 * uncompressed stream, which goes through the cache and so is not wasted.
 */
import type { Readable } from 'node:stream';
import type { Layer } from '../v1/interfaces.ts';

interface WithUncompressedSize {
  uncompressedSize(): Promise<number>;
}

/**
 * `inner.uncompressedSize()` if it has one, else what `cached()` finds (undefined: nothing
 * cached), else the byte count of `open()`'s stream.
 */
export async function countUncompressed(
  inner: Layer,
  open: () => Promise<Readable>,
  cached: () => Promise<number | undefined> = async () => undefined,
): Promise<number> {
  const known = (inner as Partial<WithUncompressedSize>).uncompressedSize;
  if (typeof known === 'function') return known.call(inner);
  const stored = await cached();
  if (stored !== undefined) return stored;
  let n = 0;
  for await (const chunk of await open()) n += (chunk as Buffer).length;
  return n;
}
