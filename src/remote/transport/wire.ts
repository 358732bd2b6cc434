/**
 * @module Our own HTTP/1.1 reader, for GETs and HEADs to plain-HTTP registries (`http://`, no
 * proxy, no injected dispatcher): blob bodies are where Node's HTTP stack is the bottleneck. Each
 * connection reads into one reused 256 KiB buffer (`onread`), and a body read through its pump
 * hands views of that buffer straight to the sink: no Buffer per read, no parser copy, no stream
 * hand-off. Read as a stream instead, each read lands in a fresh 64 KiB buffer that becomes the
 * chunk, as Node's own reads do.
 *
 * It speaks only what those need: GET/HEAD without a request body, Content-Length,
 * chunked or read-until-close bodies, keep-alive with idle connections kept per origin. Anything
 * it cannot read is `ConnectionError` (ERR_HTTP_PROTOCOL). Timeouts are undici's defaults: 10 s to
 * connect, then 300 s of silence, waiting for the head or in a body.
 */
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../errors/index.ts';
import { withPump, type PieceSink } from '../../internal/pump/index.ts';
import { ConnectionError } from './errors.ts';
import { KEEP_ALIVE_MS } from './options.ts';
import { ChunkedDecoder, framingOf, keepsAlive, MAX_HEAD_BYTES, parseHead, type Framing, type ResponseHead } from './wire-framing.ts';

const READ_BUFFER_BYTES = 256 * 1024;
/** Node's own socket read size, for bodies read as streams. */
const STREAM_READ_BYTES = 64 * 1024;
/**
 * undici's connect timeout, and its headers and body timeouts, which are equal: one socket
 * timeout serves both. Not options: only tests change them, to see them fire.
 */
export const wireTimeouts = { connectMs: 10_000, silenceMs: 300_000 };
/** Bodies up to this size are read to their end when discarded, so the connection is kept. */
const DUMP_LIMIT = 64 * 1024;

/** One request. */
export interface WireRequest {
  readonly method: 'GET' | 'HEAD';
  readonly url: URL;
  /** Names in lower case; values must not hold CR or LF. */
  readonly headers: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal | undefined;
}

/** One answer; `body` must be read, pumped or destroyed. */
export interface WireResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Readable;
}

/** The idle connections of each origin (`host:port`). */
const idle = new Map<string, Connection[]>();

/** Sends `req` over a kept-alive connection to its origin, or a new one. */
export async function wireRequest(req: WireRequest): Promise<WireResponse> {
  if (req.url.protocol !== 'http:') throw new InvalidArgumentError(`wireRequest speaks plain HTTP only, not ${req.url.protocol}`);
  const head = requestHead(req);
  req.signal?.throwIfAborted();
  const key = `${req.url.hostname}:${req.url.port || '80'}`;
  const reused = takeIdle(key);
  if (reused) {
    try {
      return await reused.exchange(req, head);
    } catch (err) {
      // The server may close an idle connection just as we send on it: a GET is safe to send
      // again on a fresh one when not a byte of the answer came back (RFC 9112 §9.3.1).
      if (!(err instanceof StaleConnection)) throw err;
    }
  }
  return (await Connection.open(req.url, key, req.signal)).exchange(req, head);
}

function requestHead(req: WireRequest): string {
  const { url, method } = req;
  let text = `${method} ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n`;
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'host') continue;
    // Header injection: a CR or LF would end the line and start one the caller never wrote.
    if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new InvalidArgumentError(`header ${JSON.stringify(name)} holds a line break`);
    text += `${name}: ${value}\r\n`;
  }
  return `${text}\r\n`;
}

function takeIdle(key: string): Connection | undefined {
  const list = idle.get(key);
  const conn = list?.pop();
  if (list && list.length === 0) idle.delete(key);
  return conn;
}

function putIdle(conn: Connection): void {
  const list = idle.get(conn.key);
  if (list) list.push(conn);
  else idle.set(conn.key, [conn]);
}

function dropIdle(conn: Connection): void {
  const list = idle.get(conn.key);
  const i = list?.indexOf(conn) ?? -1;
  if (i < 0) return;
  list!.splice(i, 1);
  if (list!.length === 0) idle.delete(conn.key);
}

/** A reused connection that failed before any byte of the answer: try a fresh one. */
class StaleConnection extends Error {}

function closed(message: string): ConnectionError {
  return new ConnectionError('ERR_CONNECTION_CLOSED', message);
}

/** One TCP connection, idle or carrying one exchange. */
class Connection {
  readonly key: string;
  readonly #socket: Socket;
  #exchange: Exchange | undefined;
  #used = false;
  #paused = false;
  /** Reads go to fresh buffers: the current body is read as a stream. */
  #streaming = false;

  private constructor(socket: Socket, key: string) {
    this.#socket = socket;
    this.key = key;
  }

  /** Connects to `url`'s origin. */
  static open(url: URL, key: string, signal: AbortSignal | undefined): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
      let conn: Connection | undefined;
      const socket = connect({
        host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: Number(url.port || 80),
        noDelay: true,
        // A read lands in `buffer`, which the callback consumes before the next read; or, for a
        // body read as a stream, in a fresh buffer that becomes the chunk itself, as Node's own
        // reads do (copying out of `buffer` instead cost ~25 MiB more RSS on a copy).
        onread: {
          buffer: () => (conn !== undefined && conn.#streaming ? Buffer.allocUnsafe(STREAM_READ_BYTES) : buffer),
          callback: (n: number, into: Uint8Array) => conn!.#read(Buffer.from(into.buffer, into.byteOffset, n), into !== buffer),
        },
      });
      conn = new Connection(socket, key);
      const fail = (err: Error): void => {
        cleanup();
        socket.destroy();
        reject(err);
      };
      const onAbort = (): void => fail(signal!.reason as Error);
      const timer = setTimeout(() => fail(new ConnectionError('ERR_CONNECTION_TIMEOUT', `connecting to ${url.host} took longer than ${wireTimeouts.connectMs / 1000} s`)), wireTimeouts.connectMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.off('error', fail);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', fail);
      socket.once('connect', () => {
        cleanup();
        conn!.#listen();
        resolve(conn!);
      });
    });
  }

  #listen(): void {
    const socket = this.#socket;
    socket.on('error', (err) => this.#lost(err));
    socket.on('end', () => this.#lost(undefined));
    socket.on('close', () => this.#lost(undefined));
    socket.on('timeout', () => {
      const ex = this.#exchange;
      if (!ex) return void socket.destroy();
      ex.fail(new ConnectionError('ERR_CONNECTION_TIMEOUT', ex.timeoutMessage()));
    });
  }

  /** Starts an exchange: writes the request and resolves with the answer's head. */
  exchange(req: WireRequest, head: string): Promise<WireResponse> {
    const socket = this.#socket;
    const reused = this.#used;
    this.#used = true;
    socket.ref();
    socket.setTimeout(wireTimeouts.silenceMs);
    return new Promise((resolve, reject) => {
      const ex = new Exchange(this, req, reused, resolve, reject);
      this.#exchange = ex;
      socket.write(head);
      socket.resume();
    });
  }

  /** The current body is read as a stream: give each read its own buffer from now on. */
  streaming(): void {
    this.#streaming = true;
  }

  #read(bytes: Buffer, owned: boolean): boolean {
    const ex = this.#exchange;
    // Bytes nobody asked for (the server talking out of turn): the connection cannot be trusted.
    if (!ex) {
      this.#socket.destroy();
      dropIdle(this);
      return false;
    }
    ex.take(bytes, owned);
    return true;
  }

  #lost(err: Error | undefined): void {
    const ex = this.#exchange;
    if (ex) ex.lost(err);
    else dropIdle(this);
    if (!this.#socket.destroyed) this.#socket.destroy();
  }

  /** The exchange ended cleanly: keep the connection for the next request to this origin, or close it. */
  release(keep: boolean): void {
    this.#exchange = undefined;
    this.#streaming = false;
    const socket = this.#socket;
    if (!keep || socket.destroyed) return void socket.destroy();
    // An idle connection must not keep the process alive, and must read on (a body's reader may
    // have paused it) so that the server closing it is noticed.
    this.#paused = false;
    socket.setTimeout(KEEP_ALIVE_MS);
    socket.unref();
    socket.resume();
    putIdle(this);
  }

  /** Stops reading for a reader that is behind; the silence timeout waits too, as undici's does. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#socket.pause();
    this.#socket.setTimeout(0);
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#socket.setTimeout(wireTimeouts.silenceMs);
    this.#socket.resume();
  }

  destroy(): void {
    this.#exchange = undefined;
    this.#socket.destroy();
  }
}

/** One request and its answer on a connection. */
class Exchange {
  readonly #conn: Connection;
  readonly #req: WireRequest;
  readonly #reused: boolean;
  #resolve: ((res: WireResponse) => void) | undefined;
  #reject: ((err: unknown) => void) | undefined;
  readonly #onAbort: () => void;
  /** The start of a head whose end has not arrived yet (a copy). */
  #partial: Buffer | undefined;
  /** Bytes of the interim heads already skipped: they count towards the limit. */
  #headDone = 0;
  #gotBytes = false;
  #response: ResponseHead | undefined;
  #framing: Framing | undefined;
  #left = 0;
  #chunked: ChunkedDecoder | undefined;
  #body: WireBody | undefined;
  #received = 0;
  #over = false;

  constructor(conn: Connection, req: WireRequest, reused: boolean, resolve: (res: WireResponse) => void, reject: (err: unknown) => void) {
    this.#conn = conn;
    this.#req = req;
    this.#reused = reused;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#onAbort = () => this.fail(req.signal!.reason);
    req.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get #what(): string {
    return `${this.#req.method} ${this.#req.url.origin}${this.#req.url.pathname}`;
  }

  timeoutMessage(): string {
    return this.#response
      ? `${this.#what}: the body stalled for ${wireTimeouts.silenceMs / 1000} s after ${this.#received} bytes`
      : `${this.#what}: no answer within ${wireTimeouts.silenceMs / 1000} s`;
  }

  /** Bytes from the socket, valid only during this call unless `owned` (a fresh buffer, ours to keep). */
  take(bytes: Buffer, owned: boolean): void {
    if (this.#over) return;
    this.#gotBytes = true;
    try {
      if (!this.#response) bytes = this.#takeHead(bytes);
      if (this.#response && bytes.length > 0) this.#takeBody(bytes, owned);
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * Takes bytes of the head; returns the bytes after it once it is whole. Interim answers
   * (100 Continue, 103 Early Hints) are skipped, and count towards the head's limit with the
   * real one: a server must not keep us reading heads for ever.
   */
  #takeHead(bytes: Buffer): Buffer {
    for (;;) {
      // Most heads arrive whole in one read: look in it before copying anything.
      const all = this.#partial ? Buffer.concat([this.#partial, bytes]) : bytes;
      const end = all.indexOf('\r\n\r\n');
      const used = end < 0 ? all.length : end + 4;
      if (this.#headDone + used > MAX_HEAD_BYTES + 4) {
        throw new ConnectionError('ERR_HTTP_PROTOCOL', `${this.#what}: the answer's head is longer than ${MAX_HEAD_BYTES} bytes`);
      }
      if (end < 0) {
        this.#partial = Buffer.from(all);
        return Buffer.alloc(0);
      }
      this.#headDone += used;
      const head = parseHead(all.toString('latin1', 0, end));
      const rest = all.subarray(used);
      this.#partial = undefined;
      if (head.status < 100 || head.status >= 200) return this.#startBody(head, rest);
      if (head.status === 101) throw new ConnectionError('ERR_HTTP_PROTOCOL', `${this.#what}: the server switched protocols`);
      bytes = rest;
      if (bytes.length === 0) return bytes;
    }
  }

  #startBody(head: ResponseHead, rest: Buffer): Buffer {
    this.#response = head;
    const framing = framingOf(this.#req.method, head);
    this.#framing = framing;
    if (framing.kind === 'length') this.#left = framing.length;
    if (framing.kind === 'chunked') this.#chunked = new ChunkedDecoder();
    this.#body = new WireBody(this, framing.kind === 'length' ? framing.length : undefined);
    const resolve = this.#resolve!;
    this.#resolve = this.#reject = undefined;
    resolve({ statusCode: head.status, headers: head.headers, body: this.#body });
    if (framing.kind === 'none' || (framing.kind === 'length' && framing.length === 0)) this.#finish(rest.length === 0);
    return rest;
  }

  #takeBody(bytes: Buffer, owned: boolean): void {
    const framing = this.#framing!;
    if (framing.kind === 'length') {
      const n = Math.min(this.#left, bytes.length);
      this.#left -= n;
      this.#emit(n === bytes.length ? bytes : bytes.subarray(0, n), owned);
      if (this.#left === 0) this.#finish(n === bytes.length);
    } else if (framing.kind === 'chunked') {
      const used = this.#chunked!.feed(bytes, (data) => this.#emit(data, owned));
      if (this.#chunked!.done) this.#finish(used === bytes.length);
    } else if (framing.kind === 'close') {
      this.#emit(bytes, owned);
    }
  }

  #emit(data: Buffer, owned: boolean): void {
    if (data.length === 0) return;
    this.#received += data.length;
    this.#body!.deliver(data, owned);
  }

  /** Marks the exchange over; false when it already was. */
  #end(): boolean {
    if (this.#over) return false;
    this.#over = true;
    this.#req.signal?.removeEventListener('abort', this.#onAbort);
    return true;
  }

  /** The body is whole; `clean` when nothing followed it. */
  #finish(clean: boolean): void {
    if (!this.#end()) return;
    const keep = clean && keepsAlive(this.#response!, this.#framing!);
    this.#conn.release(keep);
    this.#body!.finish();
  }

  /** The connection ended or failed. */
  lost(err: Error | undefined): void {
    if (this.#over) return;
    if (this.#framing?.kind === 'close' && !err) return this.#finish(false);
    if (!this.#gotBytes && this.#reused && this.#resolve) {
      this.#end();
      return this.#reject!(new StaleConnection());
    }
    const where = this.#response
      ? this.#framing?.kind === 'length'
        ? `after ${this.#received} of ${this.#received + this.#left} body bytes`
        : `after ${this.#received} body bytes`
      : 'before the answer was whole';
    const cause = err ? `: ${err.message}` : '';
    this.fail(closed(`${this.#what}: the connection closed ${where}${cause}`));
  }

  /** Ends the exchange with `err`: the waiting request or the body gets it, and the connection goes. */
  fail(err: unknown): void {
    if (!this.#end()) return;
    this.#conn.destroy();
    if (this.#reject) {
      const reject = this.#reject;
      this.#resolve = this.#reject = undefined;
      reject(err);
    } else {
      this.#body?.fail(err as Error);
    }
  }

  /** The body's reader went away before its end. */
  abandon(): void {
    if (this.#end()) this.#conn.destroy();
  }

  pause(): void {
    this.#conn.pause();
  }

  resume(): void {
    if (!this.#over) this.#conn.resume();
  }

  /** The body is read as a stream (see `Connection.streaming`). */
  streaming(): void {
    if (!this.#over) this.#conn.streaming();
  }
}

/**
 * An answer's body: a Readable (its chunks fresh buffers the socket read into) or, through its
 * pump, views of the read buffer handed to a synchronous sink. Bytes that arrive before the
 * reader has chosen are copied and held, and the socket paused.
 */
class WireBody extends Readable {
  readonly #exchange: Exchange;
  readonly #length: number | undefined;
  #mode: 'undecided' | 'stream' | 'pump' = 'undecided';
  #held: Buffer[] = [];
  #ended = false;
  #failure: Error | undefined;
  #sink: PieceSink | undefined;
  #settle: ((err?: unknown) => void) | undefined;

  constructor(exchange: Exchange, length: number | undefined) {
    super({ highWaterMark: READ_BUFFER_BYTES });
    this.#exchange = exchange;
    this.#length = length;
    withPump(this, (sink, options) => this.#pump(sink, options?.signal));
  }

  override _read(): void {
    if (this.#mode === 'undecided') {
      this.#mode = 'stream';
      this.#exchange.streaming();
      for (const piece of this.#held.splice(0)) this.push(piece);
      if (this.#failure) return void this.destroy(this.#failure);
      if (this.#ended) return void this.push(null);
    }
    this.#exchange.resume();
  }

  override _destroy(err: Error | null, done: (error?: Error | null) => void): void {
    this.#exchange.abandon();
    this.#settle?.(err ?? closed('the body was destroyed before its end'));
    done(err);
  }

  /** Reads the rest and drops it when short, so the connection is kept; otherwise closes it. */
  dump(): Promise<void> {
    if (this.#mode !== 'undecided' || this.#length === undefined || this.#length > DUMP_LIMIT) {
      this.destroy();
      return Promise.resolve();
    }
    return this.#pump(() => {}, undefined).catch(() => {});
  }

  #pump(sink: PieceSink, signal: AbortSignal | undefined): Promise<void> {
    if (this.#mode !== 'undecided') return Promise.reject(new InvalidArgumentError('this body is already being read'));
    this.#mode = 'pump';
    return new Promise<void>((resolve, reject) => {
      // The exchange may be over already (the whole body came before the reader chose), and
      // then failing it settles nothing: settle here too.
      const stop = (err: unknown): void => {
        this.#exchange.fail(err);
        this.#settle?.(err);
      };
      const onAbort = (): void => stop(signal!.reason);
      this.#settle = (err) => {
        this.#settle = undefined;
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
        // Done with either way: 'close' tells anyone listening, and nothing reads it after.
        if (!this.destroyed) this.destroy();
      };
      if (signal?.aborted) return stop(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sink = sink;
      try {
        // Held pieces are copies: the sink may keep them.
        for (const piece of this.#held.splice(0)) sink(piece, true);
      } catch (err) {
        return stop(err);
      }
      if (this.#failure) return void this.#settle(this.#failure);
      if (this.#ended) return void this.#settle();
      this.#exchange.resume();
    });
  }

  /** A piece of the body, valid only during this call unless `owned`. A sink's throw fails the exchange. */
  deliver(piece: Buffer, owned: boolean): void {
    if (this.#mode === 'pump') return this.#sink!(piece);
    if (this.#mode === 'stream') {
      if (!this.push(owned ? piece : Buffer.from(piece))) this.#exchange.pause();
      return;
    }
    this.#held.push(Buffer.from(piece));
    this.#exchange.pause();
  }

  finish(): void {
    this.#ended = true;
    if (this.#mode === 'stream') this.push(null);
    else if (this.#mode === 'pump') this.#settle?.();
  }

  fail(err: Error): void {
    if (this.#mode === 'pump') return void this.#settle?.(err);
    this.#failure = err;
    // Before the reader has chosen, nobody listens for 'error' yet: the failure waits for the
    // first read or the pump (an unheard 'error' would be an uncaught exception).
    if (this.#mode === 'stream') this.destroy(err);
  }
}
