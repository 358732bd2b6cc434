/**
 * @module Reproducible random bytes as a stream: an AES-128-CTR keystream keyed by a seed, so a
 * random layer of any size is regenerated on demand (never held in memory) and is the same bytes
 * every time it is read. At about 1 GB/s it is never the bottleneck of a test.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

const CHUNK = 256 * 1024;

/** A fresh seed for views built without one. */
export function randomSeed(): string {
  return randomBytes(16).toString('hex');
}

/** Returns `size` pseudo-random bytes determined by `seed`. */
export function randomStream(seed: string, size: number): Readable {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(CHUNK);
  let left = size;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const n = Math.min(CHUNK, left);
      left -= n;
      this.push(cipher.update(n === CHUNK ? zeros : zeros.subarray(0, n)));
    },
  });
}
