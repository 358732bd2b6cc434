/**
 * @module Hashing a file on another thread while it is being written: the writer says how far it
 * has got, and one shared worker thread reads the file back (from the page cache) and hashes it,
 * trailing the writer. On a pull, hashing is a third of the main thread's work (sha256 at about
 * 1.9 GB/s here) and the main thread is the bottleneck; the worker takes it to another core, and
 * what it hashes is what is on disk.
 *
 * The worker is a plain script (`eval`), so it needs no file of its own beside the CLI bundle.
 * It learns of new bytes through shared memory: each job has a counter of bytes written and a
 * state, and one generation counter wakes the worker (Atomics.wait) whenever any of them moves.
 * It is unreferenced while no job runs, so it never keeps a process alive.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { HashAlgorithm } from '../../v1/hash.ts';

/** One file being hashed. */
export interface TrailingHash {
  /** The writer has written the file's first `total` bytes. */
  advance(total: number): void;
  /** The file is whole at `total` bytes: resolves with the hex digest of exactly those bytes. */
  finish(total: number): Promise<string>;
  /** The write was abandoned: the worker stops and forgets the job. */
  cancel(): void;
}

/** A job's states, in its shared Int32 (0 = running). Passed to the worker, which sees no module scope. */
const STATES = { FINISHED: 1, CANCELLED: 2 } as const;

interface JobMessage {
  readonly id: number;
  readonly path: string;
  readonly algorithm: string;
  /** BigInt64[0] = bytes written; Int32[2] = state. */
  readonly shared: SharedArrayBuffer;
}

interface Reply {
  readonly id: number;
  readonly hex?: string;
  readonly error?: string;
}

/**
 * The worker's whole program, as plain JavaScript run as a CommonJS script. A string, not a
 * function's source: a bundler adds its own helpers (`__name`, `__require`) to code it bundles,
 * and a worker has none of them.
 */
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { generation, port, reply, states } = workerData;
const gen = new Int32Array(generation);
const buffer = Buffer.allocUnsafe(1024 * 1024);
const jobs = new Map();
function end(job, answer) {
  jobs.delete(job.id);
  try { closeSync(job.fd); } catch {}
  reply.postMessage({ id: job.id, ...answer });
}
for (;;) {
  const seen = Atomics.load(gen, 0);
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const { id, path, algorithm, shared } = m.message;
    try {
      const fd = openSync(path, 'r');
      jobs.set(id, { id, fd, read: 0, hash: createHash(algorithm), written: new BigInt64Array(shared, 0, 1), state: new Int32Array(shared, 8, 1) });
    } catch (err) {
      reply.postMessage({ id, error: err.message });
    }
  }
  let progressed = false;
  for (const job of jobs.values()) {
    const state = Atomics.load(job.state, 0);
    if (state === states.CANCELLED) { end(job, {}); continue; }
    const written = Number(Atomics.load(job.written, 0));
    try {
      if (job.read < written) {
        const n = readSync(job.fd, buffer, 0, Math.min(buffer.length, written - job.read), job.read);
        if (n === 0) throw new Error('the file ended at ' + job.read + ' bytes, before the ' + written + ' written');
        job.hash.update(buffer.subarray(0, n));
        job.read += n;
        progressed = true;
      } else if (state === states.FINISHED) {
        end(job, { hex: job.hash.digest('hex') });
      }
    } catch (err) {
      end(job, { error: err.message });
    }
  }
  // Sleep until the main thread moves any counter (a value changed since 'seen' returns at once).
  if (!progressed) Atomics.wait(gen, 0, seen);
}
`;

interface Pending {
  resolve(hex: string): void;
  reject(err: Error): void;
}

class HashWorker {
  readonly #worker: Worker;
  readonly #gen: Int32Array;
  readonly #port: MessagePort;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor() {
    const generation = new SharedArrayBuffer(4);
    this.#gen = new Int32Array(generation);
    const jobs = new MessageChannel();
    const replies = new MessageChannel();
    this.#port = jobs.port1;
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // Not the parent's flags: `--input-type=module` would make the script a module, without require.
      execArgv: [],
      workerData: { generation, port: jobs.port2, reply: replies.port2, states: STATES },
      transferList: [jobs.port2, replies.port2],
    });
    replies.port1.on('message', (r: Reply) => this.#settle(r));
    // After `on`, which refs a port: only the worker's ref, taken while jobs run, keeps us alive.
    replies.port1.unref();
    this.#port.unref();
    this.#worker.unref();
    this.#worker.on('error', (err) => this.#failAll(err));
    this.#worker.on('exit', (code) => this.#failAll(new Error(`the hashing thread exited (code ${code})`)));
  }

  start(path: string, algorithm: string): { written: BigInt64Array; state: Int32Array; done: Promise<string> } {
    const id = this.#nextId++;
    const shared = new SharedArrayBuffer(16);
    const done = new Promise<string>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    // Keep the process alive while a job runs: its caller waits on the worker's answer.
    if (this.#pending.size === 1) this.#worker.ref();
    this.#port.postMessage({ id, path, algorithm, shared } satisfies JobMessage);
    this.wake();
    return { written: new BigInt64Array(shared, 0, 1), state: new Int32Array(shared, 8, 1), done };
  }

  wake(): void {
    Atomics.add(this.#gen, 0, 1);
    Atomics.notify(this.#gen, 0);
  }

  #settle(r: Reply): void {
    const p = this.#pending.get(r.id);
    if (!p) return;
    this.#pending.delete(r.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (r.error !== undefined) p.reject(new Error(`hashing thread: ${r.error}`));
    else p.resolve(r.hex ?? '');
  }

  #failAll(err: Error): void {
    if (worker === this) worker = undefined;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}

let worker: HashWorker | undefined;

/**
 * Starts hashing the file at `path` (being written by the caller) with `algorithm`. Call
 * `advance` as bytes land, then `finish` or `cancel`; the file must hold the bytes `advance`
 * announced by the time it does (write synchronously, or after each write completes).
 *
 * @example
 * const h = trailingHash(tmp, 'sha256');
 * for (const piece of pieces) { writeSync(fd, piece); h.advance((n += piece.length)); }
 * const hex = await h.finish(n);
 */
export function trailingHash(path: string, algorithm: HashAlgorithm): TrailingHash {
  worker ??= new HashWorker();
  const w = worker;
  const job = w.start(path, algorithm);
  let over = false;
  // A cancelled job's answer is of no interest, but must not be an unhandled rejection.
  job.done.catch(() => {});
  return {
    advance(total) {
      Atomics.store(job.written, 0, BigInt(total));
      w.wake();
    },
    finish(total) {
      over = true;
      Atomics.store(job.written, 0, BigInt(total));
      Atomics.store(job.state, 0, STATES.FINISHED);
      w.wake();
      return job.done;
    },
    cancel() {
      if (over) return;
      over = true;
      Atomics.store(job.state, 0, STATES.CANCELLED);
      w.wake();
    },
  };
}
