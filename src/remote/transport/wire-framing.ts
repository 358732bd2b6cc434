/**
 * @module The byte-level half of our HTTP/1.1 reader (`wire.ts`): the response head and the body's
 * framing (RFC 9112 §6). Pure functions and one decoder, so each rule is tested on its own.
 */
import { ConnectionError } from './errors.ts';

/** The longest head we accept, as undici's default `maxHeaderSize` (16 KiB) times four. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** The longest chunk-size line (with extensions) or trailer line. */
const MAX_LINE_BYTES = 4096;

/** A parsed response head. */
export interface ResponseHead {
  readonly status: number;
  /** `HTTP/1.0` or `HTTP/1.1`. */
  readonly version: string;
  /** Names lower-cased; a repeated header is an array, as undici gives it. */
  readonly headers: Record<string, string | string[]>;
}

function protocol(message: string): ConnectionError {
  return new ConnectionError('ERR_HTTP_PROTOCOL', message);
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses a head (without its closing blank line). Throws `ConnectionError` (ERR_HTTP_PROTOCOL). */
export function parseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const statusLine = /^(HTTP\/1\.[01]) (\d{3})(?: .*)?$/.exec(lines[0]!);
  if (!statusLine) throw protocol(`the answer does not start with an HTTP/1.x status line: ${JSON.stringify(lines[0]!.slice(0, 80))}`);
  const headers: Record<string, string | string[]> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    // Folded lines and names with spaces are how response splitting hides; RFC 9112 rejects both.
    if (!TOKEN.test(name)) throw protocol(`malformed header line ${JSON.stringify(line.slice(0, 80))}`);
    const key = name.toLowerCase();
    const value = line.slice(colon + 1).trim();
    // A bare LF would hide a second header inside this one's value (RFC 9110 §5.5).
    if (/[\0\r\n]/.test(value)) throw protocol(`header ${JSON.stringify(name)} holds a NUL, CR or LF`);
    const prev = headers[key];
    headers[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return { status: Number(statusLine[2]), version: statusLine[1]!, headers };
}

/** How the body of an answer ends. */
export type Framing = { readonly kind: 'none' } | { readonly kind: 'length'; readonly length: number } | { readonly kind: 'chunked' } | { readonly kind: 'close' };

/** The body framing of `head` for a `method` request (RFC 9112 §6.3). */
export function framingOf(method: string, head: ResponseHead): Framing {
  const { status, headers } = head;
  if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) return { kind: 'none' };
  const te = headers['transfer-encoding'];
  if (te !== undefined) {
    const codings = (Array.isArray(te) ? te.join(',') : te).split(',').map((c) => c.trim().toLowerCase());
    // Blob bytes must arrive as stored: a coding we do not undo (gzip, compress) would only fail
    // the digest check later, with a less useful message.
    const other = codings.find((c) => c !== 'chunked');
    if (other !== undefined || codings.length !== 1) {
      throw protocol(`Transfer-Encoding ${JSON.stringify(Array.isArray(te) ? te.join(', ') : te)} is not supported (only chunked)`);
    }
    return { kind: 'chunked' };
  }
  const cl = headers['content-length'];
  if (cl === undefined) return { kind: 'close' };
  const values = new Set((Array.isArray(cl) ? cl : [cl]).flatMap((v) => v.split(',').map((x) => x.trim())));
  if (values.size !== 1) throw protocol(`conflicting Content-Length headers: ${JSON.stringify(cl)}`);
  const [text] = values as unknown as [string];
  if (!/^\d{1,15}$/.test(text)) throw protocol(`Content-Length is not a byte count: ${JSON.stringify(text)}`);
  return { kind: 'length', length: Number(text) };
}

/** True when the connection may carry another request after this answer (RFC 9112 §9.3). */
export function keepsAlive(head: ResponseHead, framing: Framing): boolean {
  if (framing.kind === 'close') return false;
  // Both framings at once is a sign of response smuggling: read it as chunked, then close (§6.3).
  if (head.headers['transfer-encoding'] !== undefined && head.headers['content-length'] !== undefined) return false;
  const connection = head.headers['connection'];
  const tokens = (Array.isArray(connection) ? connection.join(',') : (connection ?? '')).toLowerCase().split(',').map((t) => t.trim());
  if (tokens.includes('close')) return false;
  return head.version === 'HTTP/1.1' || tokens.includes('keep-alive');
}

const State = { Size: 0, Data: 1, DataEnd: 2, Trailer: 3, Done: 4 } as const;
type State = (typeof State)[keyof typeof State];

/**
 * Decodes a chunked body as it arrives, handing out views of the input (no copies). `feed`
 * returns how many bytes of `piece` belonged to the body, so bytes after its end are noticed.
 */
export class ChunkedDecoder {
  #state: State = State.Size;
  #line = '';
  #left = 0;
  #trailerBytes = 0;

  get done(): boolean {
    return this.#state === State.Done;
  }

  /** Takes the next bytes; calls `emit` with each run of body bytes. Throws on malformed framing. */
  feed(piece: Buffer, emit: (data: Buffer) => void): number {
    let i = 0;
    while (i < piece.length && this.#state !== State.Done) {
      if (this.#state === State.Data) {
        const n = Math.min(this.#left, piece.length - i);
        emit(piece.subarray(i, i + n));
        i += n;
        this.#left -= n;
        if (this.#left === 0) this.#state = State.DataEnd;
        continue;
      }
      const nl = piece.indexOf(0x0a, i);
      const end = nl < 0 ? piece.length : nl + 1;
      this.#line += piece.toString('latin1', i, end);
      i = end;
      if (this.#line.length > MAX_LINE_BYTES) throw protocol('a chunk-size or trailer line is longer than 4 KiB');
      if (nl < 0) continue;
      const line = this.#line;
      this.#line = '';
      if (!line.endsWith('\r\n')) throw protocol(`chunked framing line does not end in CRLF: ${JSON.stringify(line.slice(0, 40))}`);
      this.#takeLine(line.slice(0, -2));
    }
    return i;
  }

  #takeLine(line: string): void {
    switch (this.#state) {
      case State.Size: {
        const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
        if (!size) throw protocol(`bad chunk size line ${JSON.stringify(line.slice(0, 40))}`);
        this.#left = parseInt(size[1]!, 16);
        this.#state = this.#left === 0 ? State.Trailer : State.Data;
        return;
      }
      case State.DataEnd:
        if (line !== '') throw protocol('chunk data is longer than its size line says');
        this.#state = State.Size;
        return;
      case State.Trailer:
        // Trailer fields are not used for anything; the blank line ends the body. They are
        // capped in all as a head is, or a server could keep us reading them for ever.
        this.#trailerBytes += line.length + 2;
        if (this.#trailerBytes > MAX_HEAD_BYTES) throw protocol(`the trailer fields are longer than ${MAX_HEAD_BYTES} bytes`);
        if (line === '') this.#state = State.Done;
        return;
    }
  }
}
