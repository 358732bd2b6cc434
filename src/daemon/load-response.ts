/**
 * @module The answer of `POST /images/load`: a stream of JSON messages, one a line
 * (`{"stream":"Loaded image: x:y\n"}`), where a failure arrives as a line with `error` /
 * `errorDetail` under status 200, because the status was sent before the load went wrong.
 * Read line by line as it arrives, so an error surfaces at once and nothing grows without bound.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { DaemonError } from '../errors/index.ts';

/** Most answer text kept for the caller (progress lines beyond it are read and dropped). */
export const LOAD_TEXT_LIMIT = 1024 * 1024;
/** Longest single message line accepted; the Engine's are a few hundred bytes. */
const LINE_LIMIT = 1024 * 1024;

/** Options for {@link readLoadResponse}. */
export interface LoadResponseOptions {
  /** Whether the answer is JSON messages (`Content-Type: application/json`) or plain text. */
  readonly json: boolean;
  /** What was asked, for messages (`POST unix:///… /v1.47/images/load`). */
  readonly what: string;
}

/**
 * Reads the whole answer and returns its text (up to {@link LOAD_TEXT_LIMIT} bytes). Rejects
 * with DaemonError at the first message carrying `errorDetail.message` or `error`, or at a line
 * that is not JSON.
 */
export async function readLoadResponse(body: Readable, options: LoadResponseOptions): Promise<string> {
  const decoder = new StringDecoder('utf8');
  let text = '';
  let pending = '';
  const keep = (s: string) => {
    if (text.length < LOAD_TEXT_LIMIT) text += s.slice(0, LOAD_TEXT_LIMIT - text.length);
  };
  const take = (line: string) => {
    if (options.json) checkMessage(line, options.what);
  };
  for await (const chunk of body as AsyncIterable<Buffer>) {
    const s = decoder.write(chunk);
    keep(s);
    pending += s;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      take(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
    if (pending.length > LINE_LIMIT) {
      throw new DaemonError(`${options.what}: the daemon sent a message line longer than ${LINE_LIMIT} bytes`);
    }
  }
  const rest = decoder.end();
  keep(rest);
  take(pending + rest);
  return text;
}

function checkMessage(line: string, what: string): void {
  const trimmed = line.trim();
  if (!trimmed) return;
  let msg: unknown;
  try {
    msg = JSON.parse(trimmed);
  } catch (err) {
    throw new DaemonError(`${what}: the daemon's answer is not JSON messages: ${JSON.stringify(trimmed.slice(0, 200))}`, {}, { cause: err });
  }
  if (typeof msg !== 'object' || msg === null) return;
  const m = msg as { error?: unknown; errorDetail?: { message?: unknown } | null };
  if (m.errorDetail == null && m.error == null) return;
  const said = [m.errorDetail?.message, m.error].find((c): c is string => typeof c === 'string' && c !== '') ?? '';
  throw new DaemonError(`${what}: the daemon failed to load the image: ${said || trimmed}`, { daemonMessage: said });
}
