/**
 * @module Counting hash work in tests: how many bytes went into node:crypto hashes while some code
 * ran. Every hasher in the project is a `createHash` object (`v1.hasher`, `Hash.of`, the verifying
 * streams), so this measures all of it, whichever module does the hashing; a path that hashes a
 * blob twice shows up as twice its size.
 */
import { Hash as NodeCryptoHash } from 'node:crypto';

/** Bytes fed to any node:crypto hash while `fn` runs (tests run one at a time within a file). */
export async function bytesHashed(fn: () => Promise<unknown>): Promise<number> {
  const proto = NodeCryptoHash.prototype;
  const update = proto.update;
  const original = update as (this: NodeCryptoHash, ...args: unknown[]) => NodeCryptoHash;
  let n = 0;
  proto.update = function (this: NodeCryptoHash, ...args: unknown[]) {
    const [data, encoding] = args as [string | NodeJS.ArrayBufferView, BufferEncoding | undefined];
    n += typeof data === 'string' ? Buffer.byteLength(data, encoding) : data.byteLength;
    return original.apply(this, args);
  } as typeof update;
  try {
    await fn();
  } finally {
    proto.update = update;
  }
  return n;
}
