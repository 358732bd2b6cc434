/**
 * @module Reads a layer's tar to its end, reporting what makes it a bad layer: unreadable tar,
 * the same path twice (ggcr rejects duplicates: which copy wins depends on the extractor).
 */
import { finished } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { readTar } from '../internal/tar/index.ts';

function normalise(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/** Walks every entry of `tar` (draining bodies) and then the rest of the stream. */
export async function checkTarEntries(tar: Readable, report: (message: string) => void, signal?: AbortSignal): Promise<void> {
  const seen = new Set<string>();
  for await (const { header, body } of readTar(tar, signal ? { signal } : {})) {
    signal?.throwIfAborted();
    if (header.type !== 'pax-global' && header.type !== 'directory') {
      const key = normalise(header.name);
      if (seen.has(key)) report(`duplicate path in layer tar: ${JSON.stringify(header.name)}`);
      seen.add(key);
    }
    // Drain before asking for the next entry: the reader hands out one body at a time.
    for await (const _ of body) signal?.throwIfAborted();
  }
  // Bytes after the end-of-archive blocks still count towards the diffID.
  if (!tar.readableEnded && !tar.destroyed) {
    tar.resume();
    await finished(tar);
  }
}
