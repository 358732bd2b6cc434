/**
 * @module Files that appear whole or not at all: bytes go to a temporary file beside the final
 * name (same directory, so the rename is atomic), are flushed to disk, and only then renamed into
 * place. A failure or an abort removes the temporary file and leaves the final name untouched.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, writeSync, writevSync, type WriteStream } from 'node:fs';
import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pump } from '../pump/index.ts';
import { trailingHash, type TrailingHash } from '../trailing-hash/index.ts';
import { failing, mismatchOf, oversizeOf, type VerifyOptions } from '../verify/verifier.ts';

/** Temporary names start with a dot (hidden) and are never a digest, so `garbageCollect` skips them. */
const TEMP_PREFIX = '.tmp-';

/** A fresh temporary name beside `final`. */
function tempPathFor(final: string): string {
  return join(dirname(final), `${TEMP_PREFIX}${basename(final)}-${randomBytes(6).toString('hex')}`);
}

/** Options for {@link writeStreamAtomic}. */
export interface AtomicWriteOptions {
  readonly signal?: AbortSignal | undefined;
  /** File mode before the umask; default 0o644 (what umoci, skopeo and ggcr leave readable). */
  readonly mode?: number;
  /**
   * Runs after the bytes are on disk and before the rename; a throw abandons the write. For a
   * digest only known once the stream ends (a streaming layer).
   */
  readonly beforeRename?: () => Promise<string | void>;
  /** Create the target's folder when missing (default true); false makes a missing folder ENOENT. */
  readonly createParent?: boolean;
}

/**
 * Streams `source` through `transforms` into `final` atomically and returns the path written
 * (`beforeRename` may return a different final path). A verifying transform that fails makes the
 * whole write fail with its error, and nothing appears under `final`.
 *
 * @example
 * await writeStreamAtomic(path, body, [verifyStream({ digest, size })], { signal });
 */
export async function writeStreamAtomic(
  final: string,
  source: Readable,
  transforms: readonly Duplex[],
  options: AtomicWriteOptions = {},
): Promise<string> {
  const { signal } = options;
  const tmp = tempPathFor(final);
  let sink: WriteStream | undefined;
  try {
    signal?.throwIfAborted();
    if (options.createParent ?? true) await mkdir(dirname(final), { recursive: true });
    // `flush` fsyncs before the close that ends the pipeline: the bytes are on disk before the
    // rename makes them visible under their final name.
    sink = createWriteStream(tmp, { flags: 'wx', mode: options.mode ?? 0o644, flush: true, highWaterMark: 1024 * 1024 });
    await pipeline([source, ...transforms, sink], signal ? { signal } : {});
    const target = (await options.beforeRename?.()) || final;
    await rename(tmp, target);
    return target;
  } catch (err) {
    source.destroy();
    // An open still in flight would create the file after an early unlink: wait for the close.
    if (sink && !sink.closed) await new Promise<void>((done) => sink!.once('close', () => done()));
    await unlink(tmp).catch(() => {});
    // pipeline reports an abort as a generic AbortError; callers expect the reason they gave.
    throw signal?.aborted ? signal.reason : err;
  }
}

/**
 * `writeStreamAtomic` for a pump (`internal/pump`): each piece is written with `writeSync` while
 * the pump holds it, then the file is flushed to disk and renamed. Synchronous writes of a page
 * cache's worth are short, and they are what lets the pump reuse its buffer: the measured
 * difference between a pull at Node's pace and one at skopeo's (ARCHITECTURE, "the floor").
 * `source` is destroyed when the write fails before the pump ran.
 *
 * With `verify`, the file is checked against that digest and size before the rename, hashed on
 * another thread as it is written (`internal/trailing-hash`): what is checked is what is on
 * disk, and the pump is told so (`sinkVerifies`) and need not hash the bytes itself.
 */
export async function writePumpAtomic(
  final: string,
  source: Readable,
  pump: Pump,
  options: AtomicWriteOptions & { readonly verify?: VerifyOptions | undefined } = {},
): Promise<string> {
  const { signal, verify } = options;
  const tmp = tempPathFor(final);
  let file: FileHandle | undefined;
  let hashing: TrailingHash | undefined;
  try {
    signal?.throwIfAborted();
    if (options.createParent ?? true) await mkdir(dirname(final), { recursive: true });
    file = await open(tmp, 'wx', options.mode ?? 0o644);
    const fd = file.fd;
    // A const for the sink below; `hashing` is what the catch cancels (a no-op once finished).
    const h = (hashing = verify ? trailingHash(tmp, verify.digest.algorithm) : undefined);
    let size = 0;
    let written = 0;
    // Kept pieces (a stream's own small chunks: 16 KiB TLS records) are gathered into one write
    // of GATHER_BYTES; a write per record cost 5× the system time.
    const gathered: Buffer[] = [];
    let gatheredBytes = 0;
    const flush = (): void => {
      if (gatheredBytes === 0) return;
      writeAllSync(fd, gathered);
      written += gatheredBytes;
      gathered.length = 0;
      gatheredBytes = 0;
      h?.advance(written);
    };
    await pump(
      (piece, kept) => {
        // The first byte too many stops the write, whatever the pump checks.
        const over = verify && oversizeOf(verify, size + piece.length);
        if (over) throw over;
        size += piece.length;
        if (kept) {
          gathered.push(piece);
          gatheredBytes += piece.length;
          if (gatheredBytes >= GATHER_BYTES) flush();
          return;
        }
        flush();
        writeAllSync(fd, [piece]);
        written += piece.length;
        h?.advance(written);
      },
      { signal, sinkVerifies: verify },
    );
    flush();
    await file.datasync();
    await file.close();
    file = undefined;
    if (verify && h) {
      const err = mismatchOf(verify, size, await h.finish(size));
      if (err) throw await failing(verify, err);
    }
    const target = (await options.beforeRename?.()) || final;
    await rename(tmp, target);
    return target;
  } catch (err) {
    source.destroy();
    hashing?.cancel();
    await file?.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw signal?.aborted ? signal.reason : err;
  }
}

/** How many bytes of kept pieces `writePumpAtomic` gathers into one write. */
const GATHER_BYTES = 256 * 1024;

/** Writes every byte of `pieces`, in order, at the file's offset (a write may take less than asked). */
function writeAllSync(fd: number, pieces: readonly Buffer[]): void {
  let rest = pieces;
  while (rest.length > 0) {
    let n = rest.length === 1 ? writeSync(fd, rest[0]!) : writevSync(fd, rest);
    const left: Buffer[] = [];
    for (const p of rest) {
      if (n >= p.length) n -= p.length;
      else {
        left.push(n > 0 ? p.subarray(n) : p);
        n = 0;
      }
    }
    rest = left;
  }
}

/** Writes `data` to `final` atomically (index.json, oci-layout). */
export async function writeFileAtomic(final: string, data: Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  await writeStreamAtomic(final, Readable.from([data], { objectMode: false }), [], options);
}
