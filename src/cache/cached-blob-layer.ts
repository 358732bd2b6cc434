/**
 * @module Filling a layer's tar entry (by diffID) from its compressed blob already in the cache
 * (by digest): the blob is decompressed locally instead of downloaded a second time, as ggcr's
 * cache would. The layer handed to `Cache.put` serves the one blob stream it was given, once.
 */
import type { Readable } from 'node:stream';
import { ConsumedError, hasCode } from '../errors/index.ts';
import type { Hash } from '../v1/hash.ts';
import type { Layer } from '../v1/interfaces.ts';
import { autoDecompress } from '../internal/compression/index.ts';
import { compressedToLayer } from '../partial/layer.ts';

/**
 * Holds back a codec failure of `tar` until `discard` has run. A blob that fails to decompress
 * part-way is corrupt, but its digest check never reaches the end that would find it out and
 * delete it; without this, every later tar read would decompress the same bad blob again.
 * Patched on the instance, as `readableFrom` does, to cost no extra hop per chunk.
 */
function discardOnCodecError(tar: Readable, discard: () => Promise<void>): Readable {
  const destroy = tar._destroy.bind(tar);
  tar._destroy = (err: Error | null, done: (error?: Error | null) => void): void => {
    if (!err || !hasCode(err, 'ERR_COMPRESSION')) return destroy(err, done);
    discard().then(
      () => destroy(err, done),
      () => destroy(err, done),
    );
  };
  return tar;
}

/**
 * `inner` with its streams served from `blob`, an open, verifying stream of its compressed blob
 * from the cache (compressed as is, uncompressed decompressed), each at most once between them.
 * `discard` removes the cached blob; it runs when decompressing it fails.
 */
export function layerFromCachedBlob(inner: Layer, digest: Hash, blob: Readable, discard: () => Promise<void>): Layer {
  let unread: Readable | undefined = blob;
  const take = (): Readable => {
    if (!unread) throw new ConsumedError(`the cached blob ${digest} was already read`);
    const s = unread;
    unread = undefined;
    return s;
  };
  return compressedToLayer({
    digest: async () => digest,
    size: () => inner.size(),
    mediaType: () => inner.mediaType(),
    diffID: () => inner.diffID(),
    compressed: async () => take(),
    uncompressed: async () => discardOnCodecError(await autoDecompress(take(), { what: `cached layer ${digest}` }), discard),
  });
}
