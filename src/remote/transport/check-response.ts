/**
 * @module Turning a registry answer with an unexpected status into a `TransportError` (ggcr's
 * `CheckError`): the body is read up to 64 KiB, the spec's diagnostics parsed from it, and
 * whatever else it holds shortened and redacted for the message.
 */
import type { Readable } from 'node:stream';
import { redactText, redactURL } from '../../internal/redact/index.ts';
import { parseRetryAfter } from '../../internal/retry/index.ts';
import { SMALL_BODY_LIMIT } from '../../internal/limit/index.ts';
import { TransportError, type Diagnostic } from './errors.ts';

/** How much of a body without diagnostics goes into a message: an HTML error page is noise past this. */
const MESSAGE_BODY_CHARS = 1024;

/** The parts of a response {@link errorFromResponse} reads. */
export interface ResponseLike {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable;
}

/**
 * Reads at most `max` bytes of `stream`, then destroys it so the rest is never downloaded.
 * Unlike `readAll`, more than `max` is not an error: an error body is shown, not trusted.
 */
export async function readPrefix(stream: Readable, max: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let length = 0;
  let truncated = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const room = max - length;
      if (bytes.length > room) {
        chunks.push(bytes.subarray(0, room));
        length = max;
        truncated = true;
        break;
      }
      chunks.push(bytes);
      length += bytes.length;
    }
  } finally {
    if (!stream.destroyed && truncated) stream.destroy();
  }
  return { bytes: Buffer.concat(chunks, length), truncated };
}

/** The diagnostics of a spec error body, or none when it is not one. */
export function parseDiagnostics(text: string): Diagnostic[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const errors = (doc as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return [];
  const out: Diagnostic[] = [];
  for (const e of errors as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const { code, message, detail } = e as Record<string, unknown>;
    if (typeof code !== 'string' || code === '') continue;
    out.push({
      code,
      message: typeof message === 'string' ? message : '',
      ...(detail !== undefined && detail !== null ? { detail } : {}),
    });
  }
  return out;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Builds the `TransportError` for `response` to `method url`, consuming its body (64 KiB at most).
 * A body that fails mid-read still yields the error, with what was read.
 */
export async function errorFromResponse(response: ResponseLike, method: string, url: string | URL): Promise<TransportError> {
  let text = '';
  let truncated = false;
  try {
    const prefix = await readPrefix(response.body, SMALL_BODY_LIMIT);
    text = prefix.bytes.toString('utf8');
    truncated = prefix.truncated;
  } catch {
    // The status is the news; a body cut short by the peer only loses detail.
  }
  const diagnostics = truncated ? [] : parseDiagnostics(text);
  let body = diagnostics.length > 0 ? '' : redactText(text.trim());
  if (body.length > MESSAGE_BODY_CHARS || truncated) body = `${body.slice(0, MESSAGE_BODY_CHARS)}…`;
  return new TransportError({
    status: response.status,
    method,
    url: redactURL(url),
    diagnostics,
    ...(body ? { body } : {}),
    retryAfterMs: parseRetryAfter(headerValue(response.headers['retry-after'])),
  });
}
