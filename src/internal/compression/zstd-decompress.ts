/**
 * @module zstd decompression with real backpressure. Both codecs are driven a step at a time —
 * zstd-napi's `DCtx.decompressStream` into a 128 KiB buffer, fzstd fed small slices — and no
 * step runs while the reader is not asking: a few KiB of zstd can expand to GiBs, so "one input
 * chunk's output" is not a bound (zstd-napi's own DecompressStream and a plain fzstd Transform
 * both push it all at once).
 */
import { Duplex } from 'node:stream';
import type { Decompress as FzstdDecompress } from 'fzstd';

/** One codec seen as steps: each consumes some input and yields a bounded amount of output. */
export interface StepDecoder {
  /** Decodes from the front of `src`. `more` means output is still held inside without more input. */
  step(src: Buffer): { consumed: number; out: Buffer[]; more: boolean };
  /** End of input: returns what is left, or throws if the input stopped inside a frame. */
  end(): Buffer[];
}

/** A Duplex that runs a `StepDecoder` only while its readable side wants data. */
export class SteppedDecompressor extends Duplex {
  readonly #decoder: StepDecoder;
  readonly #toError: (err: unknown) => Error;
  readonly #emptyInput: () => Error;
  #pending: { src: Buffer; done: (err?: Error | null) => void } | undefined;
  #wanted = false;
  #driving = false;
  #reads = 0;
  #sawInput = false;

  constructor(decoder: StepDecoder, toError: (err: unknown) => Error, emptyInput: () => Error) {
    super({ readableHighWaterMark: 256 * 1024 });
    this.#decoder = decoder;
    this.#toError = toError;
    this.#emptyInput = emptyInput;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    if (chunk.length === 0) return done();
    this.#sawInput = true;
    this.#pending = { src: chunk, done };
    this.#drive();
  }

  override _read(): void {
    this.#reads++;
    this.#wanted = true;
    this.#drive();
  }

  #drive(): void {
    if (this.#driving) return;
    this.#driving = true;
    try {
      while (this.#wanted && this.#pending) {
        const p = this.#pending;
        let r: ReturnType<StepDecoder['step']>;
        try {
          r = this.#decoder.step(p.src);
        } catch (err) {
          this.#pending = undefined;
          return p.done(this.#toError(err));
        }
        p.src = p.src.subarray(r.consumed);
        for (const b of r.out) {
          const reads = this.#reads;
          // A _read that arrived during push() (flowing mode) is a request we must still answer.
          if (!this.push(b) && this.#reads === reads) this.#wanted = false;
        }
        if (p.src.length === 0 && !r.more) {
          this.#pending = undefined;
          p.done();
        }
      }
    } finally {
      this.#driving = false;
    }
  }

  override _final(done: (err?: Error | null) => void): void {
    if (!this.#sawInput) return done(this.#toError(this.#emptyInput()));
    try {
      for (const b of this.#decoder.end()) this.push(b);
    } catch (err) {
      return done(this.#toError(err));
    }
    this.push(null);
    done();
  }
}

/** The part of zstd-napi's low-level binding used here (`zstd-napi/binding`, 0.0.13). */
export interface ZstdDCtx {
  decompressStream(dst: Uint8Array, src: Uint8Array): [ret: number, produced: number, consumed: number];
}

/** zstd-napi's streaming decompressor, one `decompressStream` call per step. */
export function nativeStepDecoder(dctx: ZstdDCtx, outSize: number): StepDecoder {
  let inFrame = false;
  return {
    step(src) {
      const dst = Buffer.allocUnsafe(outSize);
      const [ret, produced, consumed] = dctx.decompressStream(dst, src);
      inFrame = ret !== 0;
      // A full buffer may hide more output, unless the frame just ended (ret 0): asking again
      // then would start reading a next frame header and report the stream as cut short.
      return { consumed, out: produced ? [dst.subarray(0, produced)] : [], more: produced === outSize && ret !== 0 };
    },
    end() {
      if (inFrame) throw new Error('stream ended in the middle of a zstd frame');
      return [];
    },
  };
}

/**
 * How much compressed input fzstd gets per step. Its output per push is unbounded within the
 * slice (a 4-byte RLE block is 128 KiB), so the slice bounds memory: 512 B → at most ~16 MiB.
 */
const JS_SLICE = 512;
/** Same window limit as zstd-napi and the zstd CLI by default (windowLogMax 27). */
const MAX_WINDOW = 2 ** 27;

/** fzstd (pure JS) fed in small slices; refuses frames whose window exceeds 128 MiB. */
export function jsStepDecoder(Decompress: typeof FzstdDecompress): StepDecoder {
  const out: Buffer[] = [];
  const decoder = new Decompress((data) => {
    if (data.length > 0) out.push(Buffer.from(data.buffer, data.byteOffset, data.length));
  });
  let checked = false;
  const drain = () => out.splice(0, out.length);
  return {
    step(src) {
      if (!checked) {
        checked = true;
        checkFirstFrameWindow(src);
      }
      const n = Math.min(src.length, JS_SLICE);
      decoder.push(src.subarray(0, n));
      return { consumed: n, out: drain(), more: false };
    },
    end() {
      decoder.push(new Uint8Array(0), true);
      return drain();
    },
  };
}

/**
 * fzstd allocates whatever window a frame header declares (17 bytes can ask for GiBs) where
 * zstd-napi refuses; check the first frame's header the same way. Later frames of a multi-frame
 * blob are not inspected (fzstd gives no frame boundaries).
 */
function checkFirstFrameWindow(b: Buffer): void {
  if (b.length < 6 || b.readUInt32LE(0) !== 0xfd2fb528) return;
  const fhd = b[4]!;
  const singleSegment = (fhd & 0x20) !== 0;
  let window: number;
  if (!singleSegment) {
    const wd = b[5]!;
    const base = 2 ** (10 + (wd >> 3));
    window = base + (base / 8) * (wd & 7);
  } else {
    const dictBytes = [0, 1, 2, 4][fhd & 3]!;
    const fcsBytes = [1, 2, 4, 8][fhd >> 6]!;
    const at = 5 + dictBytes;
    if (b.length < at + fcsBytes) return;
    window = fcsBytes === 1 ? b[at]! : fcsBytes === 2 ? b.readUInt16LE(at) + 256 : fcsBytes === 4 ? b.readUInt32LE(at) : Number(b.readBigUInt64LE(at));
  }
  if (window > MAX_WINDOW) {
    throw new Error(`zstd frame needs a ${window}-byte window, over the ${MAX_WINDOW}-byte limit (windowLogMax 27)`);
  }
}
