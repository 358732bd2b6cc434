/**
 * @module Checks a layer against itself: its compressed bytes hash to `digest()` and measure
 * `size()`; decompressed (gzip, zstd or none, sniffed from the bytes — ggcr assumes gzip) they hash
 * to `diffID()`, and so does `uncompressed()`. Problems are collected, not thrown one at a time.
 */
import type { Readable } from 'node:stream';
import * as types from '../types/index.ts';
import { ConsumedError, ValidationError } from '../errors/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Layer } from '../v1/interfaces.ts';
import { exists } from '../partial/describe.ts';
import { autoDecompress } from '../internal/compression/index.ts';
import { hashingStream } from '../internal/verify/index.ts';
import { pipe } from '../internal/pipe/index.ts';
import { checkTarEntries } from './tar-check.ts';

export interface ValidateOptions {
  /** Only check that blobs exist (a HEAD for remote layers), not their contents. */
  readonly fast?: boolean;
  readonly signal?: AbortSignal;
  /** Receives problems that only warrant a warning: foreign / non-distributable layers that can't be read. */
  readonly onWarning?: (message: string) => void;
}

/** Collects problems under a label such as `layer[2] sha256:…`. */
export class Problems {
  readonly list: string[] = [];
  add(where: string, what: string): void {
    this.list.push(where ? `${where}: ${what}` : what);
  }
  /** Runs `fn`, recording a thrown error as a problem instead of stopping. */
  async attempt<T>(where: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.add(where, (err as Error).message);
      return undefined;
    }
  }
  throwIfAny(): void {
    if (this.list.length) throw new ValidationError(this.list);
  }
}

async function drain(stream: Readable, signal?: AbortSignal): Promise<void> {
  for await (const _ of stream) signal?.throwIfAborted();
}

/** Validates one layer; throws `ValidationError` listing every problem found. */
export async function layer(l: Layer, options: ValidateOptions = {}): Promise<void> {
  const p = new Problems();
  await checkLayer(l, '', p, options);
  p.throwIfAny();
}

/** Records the problems of `l` in `p`, each prefixed with `where`. */
export async function checkLayer(l: Layer, where: string, p: Problems, options: ValidateOptions): Promise<void> {
  if (options.fast) {
    const ok = await p.attempt(where, () => exists(l));
    if (ok === false) p.add(where, 'blob does not exist');
    return;
  }
  const signal = options.signal;
  const mediaType = await p.attempt(where, () => l.mediaType());
  const isTarLayer = mediaType !== undefined && types.isLayer(mediaType);

  // One read of the compressed blob gives its digest and size and, decompressed, its diffID.
  const compressedMeter = hashingStream('sha256');
  const uncompressedMeter = hashingStream('sha256');
  const read = await p.attempt(`${where}${where ? ' ' : ''}compressed()`, async () => {
    const blob = pipe(await l.compressed(signal ? { signal } : {}), compressedMeter);
    if (!isTarLayer) {
      await drain(blob, signal);
      return true;
    }
    const tar = pipe(await autoDecompress(blob), uncompressedMeter);
    await checkTarEntries(tar, (msg) => p.add(where, msg), signal);
    return true;
  });
  // Nothing below can be compared without the bytes.
  if (!read) return;

  const [digest, size, diffID] = await Promise.all([
    p.attempt(where, () => l.digest()),
    p.attempt(where, () => l.size()),
    p.attempt(where, () => l.diffID()),
  ]);
  if (digest && !digest.equals(compressedMeter.digest)) {
    p.add(where, `digest mismatch: digest() is ${digest}, compressed bytes hash to ${compressedMeter.digest}`);
  }
  if (size !== undefined && size !== compressedMeter.size) {
    p.add(where, `size mismatch: size() is ${size}, compressed bytes are ${compressedMeter.size}`);
  }
  if (isTarLayer && diffID && !diffID.equals(uncompressedMeter.digest)) {
    p.add(where, `diffID mismatch: diffID() is ${diffID}, decompressed compressed() hashes to ${uncompressedMeter.digest}`);
  }

  try {
    const u = await l.uncompressed(signal ? { signal } : {});
    const { hash } = await Hash.fromStream(u, signal ? { signal } : {});
    if (diffID && !diffID.equals(hash)) {
      p.add(where, `diffID mismatch: diffID() is ${diffID}, uncompressed() hashes to ${hash}`);
    }
  } catch (err) {
    // A single-pass layer (stream.newLayer) cannot be read twice; its compressed pass was checked.
    if (!(err instanceof ConsumedError)) p.add(where, `uncompressed(): ${(err as Error).message}`);
  }
}
