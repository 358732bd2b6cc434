/**
 * @module Shared inputs and plumbing for the codec tests (not a test file itself): sample
 * payloads, a source that delivers 64 KiB chunks as files and sockets do, and a run through a stage.
 */
import { randomBytes } from 'node:crypto';
import { Readable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const MiB = 1024 * 1024;

export const text = Buffer.from(
  Array.from({ length: 60_000 }, (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog\n`).join(''),
).subarray(0, 3 * MiB);

/** Empty, one byte, and 6 MiB mixing incompressible and compressible data. */
export const samples: Record<string, Buffer> = {
  'empty': Buffer.alloc(0),
  'one byte': Buffer.of(42),
  '3 MiB random + 3 MiB text': Buffer.concat([randomBytes(3 * MiB), text]),
};

/** Feeds `data` in 64 KiB chunks, as files and sockets deliver it. */
export function source(data: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += 65536) chunks.push(data.subarray(i, i + 65536));
  return Readable.from(chunks, { objectMode: false });
}

/** Runs `data` through `stage` and collects what comes out. */
export async function through(data: Buffer, stage: Duplex): Promise<Buffer> {
  const out: Buffer[] = [];
  await pipeline(source(data), stage, async (s: AsyncIterable<Buffer>) => {
    for await (const c of s) out.push(c);
  });
  return Buffer.concat(out);
}
