/**
 * @module Opaque blobs as layers: bytes that are stored as they are, whose digest is also their
 * diffID (ggcr's `pkg/v1/static`). For artifacts, configs of artifacts, small files.
 */
import { Readable } from 'node:stream';
import type { MediaType } from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Layer } from '../v1/interfaces.ts';

/** Returns a layer over `data` with the given media type; nothing is compressed. */
export function newLayer(data: Uint8Array | string, mediaType: MediaType): Layer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  let hash: Hash | undefined;
  const digest = async () => (hash ??= Hash.of(bytes));
  const open = async () => Readable.from([bytes], { objectMode: false });
  return {
    digest,
    diffID: digest,
    size: async () => bytes.length,
    mediaType: async () => mediaType,
    compressed: open,
    uncompressed: open,
  };
}
