/**
 * @module The body of one tar entry as a Readable that pulls from the shared byte source only as
 * it is read (so backpressure reaches the archive's stream), and that can be skipped when the
 * caller moves on without reading it. A body already in memory is handed over at once.
 */
import { Readable } from 'node:stream';
import { BadTarError } from '../../errors/index.ts';
import type { ByteSource } from './byte-source.ts';
import { blockPadding } from './fields.ts';

/** One entry's data section, followed in the archive by its padding. */
export class EntryBody {
  readonly stream: Readable;
  readonly #source: ByteSource;
  readonly #name: string;
  readonly #size: number;
  readonly #start: number;
  #remaining: number;
  #wanted = false;
  #pumping: Promise<void> | undefined;
  #running = false;
  #abandoned = false;
  #failure: unknown;

  constructor(source: ByteSource, size: number, name: string) {
    this.#source = source;
    this.#name = name;
    this.#size = size;
    this.#start = source.offset;
    if (size <= source.buffered) {
      // The whole body is in the chunk at hand: no pulling, no waiting.
      const data = source.take(size);
      this.#remaining = 0;
      this.stream = new Readable({ read() {} });
      if (size > 0) this.stream.push(data);
      this.stream.push(null);
    } else {
      this.#remaining = size;
      this.stream = new Readable({ read: () => this.#onRead() });
    }
  }

  #onRead(): void {
    // Once finish() owns the cursor, a flowing body must not start pulling again: two consumers
    // of one source would each take bytes the other counted on.
    if (this.#abandoned) return;
    this.#wanted = true;
    if (!this.#running) this.#pumping = this.#pump();
  }

  async #pump(): Promise<void> {
    // `#running` is set and cleared synchronously, so a read request that arrives while a pump is
    // finishing is never lost (a promise-valued flag cleared in .finally() would be a tick late).
    this.#running = true;
    try {
      while (this.#wanted && this.#remaining > 0 && !this.#abandoned) {
        if (this.#source.buffered === 0) {
          if (!(await this.#source.fill())) throw this.#truncated();
          continue;
        }
        const chunk = this.#source.take(this.#remaining);
        this.#remaining -= chunk.length;
        // push() may call _read synchronously, which sets #wanted again.
        this.#wanted = false;
        if (this.stream.push(chunk)) this.#wanted = true;
      }
      if (this.#remaining === 0 && !this.#abandoned) this.stream.push(null);
    } catch (err) {
      this.#failure = err;
      // Once the caller has moved on, finish() reports the failure through the iterator; an
      // 'error' on a body nobody listens to any more would only crash the process.
      this.stream.destroy(this.#abandoned ? undefined : (err as Error));
    } finally {
      this.#running = false;
    }
  }

  #truncated(): BadTarError {
    const read = this.#size - this.#remaining;
    return new BadTarError(
      `tar stream ends inside the body of entry ${JSON.stringify(this.#name)}: ${read} of ${this.#size} bytes ` +
        `(body starts at byte offset ${this.#start})`,
    );
  }

  /**
   * Moves the source past this body and its padding. Whatever the caller left unread is skipped,
   * and the body stream, if still open, is destroyed so that a late reader cannot mistake the
   * cut for the end of the file.
   */
  async finish(): Promise<void> {
    this.#abandoned = true;
    while (this.#running) await this.#pumping;
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#remaining > 0) {
      const left = this.#remaining;
      const skipped = await this.#source.skip(left);
      this.#remaining -= skipped;
      if (!this.stream.destroyed) this.stream.destroy();
      if (skipped < left) throw this.#truncated();
    }
    const pad = blockPadding(this.#size);
    if (pad > 0 && (await this.#source.skip(pad)) < pad) {
      throw new BadTarError(
        `tar stream ends in the padding after entry ${JSON.stringify(this.#name)} (at byte offset ${this.#source.offset})`,
      );
    }
  }

  /** Stops feeding the body without waiting (the reader is being closed). */
  abandon(): void {
    this.#abandoned = true;
    if (this.#remaining > 0 && !this.stream.destroyed) this.stream.destroy();
  }
}
