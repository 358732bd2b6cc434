/**
 * @module A byte cursor over a Readable for the tar reader: whole header blocks on demand, body
 * bytes as zero-copy slices of the chunks that arrived, and a running offset for error messages.
 */
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../errors/index.ts';

const EMPTY = Buffer.alloc(0);

/** Reads a stream chunk by chunk, handing out exactly as many bytes as asked. */
export class ByteSource {
  readonly #stream: Readable;
  readonly #chunks: AsyncIterator<unknown>;
  #buffer: Buffer = EMPTY;
  #position = 0;
  #ended = false;
  /** Bytes handed out (or skipped) since the start of the stream. */
  offset = 0;

  constructor(stream: Readable) {
    this.#stream = stream;
    this.#chunks = stream[Symbol.asyncIterator]();
  }

  /** Bytes that can be taken without waiting. */
  get buffered(): number {
    return this.#buffer.length - this.#position;
  }

  /** Waits for the next chunk and appends it; false when the stream has ended. */
  async fill(): Promise<boolean> {
    if (this.#ended) return false;
    const next = await this.#chunks.next();
    if (next.done) {
      this.#ended = true;
      return false;
    }
    const chunk = toBuffer(next.value);
    if (this.buffered === 0) this.#buffer = chunk;
    else this.#buffer = Buffer.concat([this.#buffer.subarray(this.#position), chunk]);
    this.#position = 0;
    return true;
  }

  /** Up to `max` bytes that are already here, without waiting; empty when none are. */
  take(max: number): Buffer {
    const n = Math.min(max, this.buffered);
    const out = this.#buffer.subarray(this.#position, this.#position + n);
    this.#position += n;
    this.offset += n;
    return out;
  }

  /** Exactly `n` bytes, or fewer when the stream ends first. */
  async read(n: number): Promise<Buffer> {
    if (this.buffered >= n) return this.take(n);
    // Gather whole chunks and join once: growing the buffer chunk by chunk is quadratic for a
    // large PAX record arriving in small pieces.
    const parts: Buffer[] = [this.take(this.buffered)];
    let have = parts[0]!.length;
    while (have < n && (await this.fill())) {
      const part = this.take(n - have);
      parts.push(part);
      have += part.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
  }

  /** Skips `n` bytes (Infinity: to the end); returns how many there were. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.buffered === 0 && !(await this.fill())) break;
      left -= this.take(left).length;
    }
    return n - left;
  }

  /** Stops reading: destroys the stream unless it ended, and releases the iterator. */
  async close(): Promise<void> {
    // Destroying first settles a pending read; the iterator's return() would wait for it.
    if (!this.#ended) this.#stream.destroy();
    try {
      await this.#chunks.return?.();
    } catch {
      // The stream's own error has already been reported by whoever read it.
    }
  }
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new InvalidArgumentError(`a tar stream must yield bytes, got a ${typeof chunk} chunk (is an encoding set?)`);
}
