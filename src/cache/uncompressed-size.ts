/**
 * @module The uncompressed size of a cache-wrapped layer (`partial.uncompressedSize` asks for it):
 * the wrapped layer's own answer when it knows one, else counted by reading the wrapper's
 * uncompressed stream, which goes through the cache and so is not wasted.
 */
import type { Readable } from 'node:stream';
import type { Layer } from '../v1/interfaces.ts';

interface WithUncompressedSize {
  uncompressedSize(): Promise<number>;
}

/** `inner.uncompressedSize()` if it has one, else the byte count of `open()`'s stream. */
export async function countUncompressed(inner: Layer, open: () => Promise<Readable>): Promise<number> {
  const known = (inner as Partial<WithUncompressedSize>).uncompressedSize;
  if (typeof known === 'function') return known.call(inner);
  let n = 0;
  for await (const chunk of await open()) n += (chunk as Buffer).length;
  return n;
}
