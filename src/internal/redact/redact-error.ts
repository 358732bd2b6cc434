/**
 * @module Hiding URL secrets in error messages (ggcr's `redact.Error`, which does it for Go's
 * `url.Error`). Node's network errors and our own embed the URL in the message text, so the text
 * itself is scanned.
 */
import { redactURL } from './redact-url.ts';

// Stops at whitespace, quotes and angle brackets, which never occur unescaped inside a URL.
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'<>`]+/gi;
// Punctuation that ends a sentence rather than the URL: `… failed for https://x/y.`
const TRAILING = /[.,;:!?)\]}]+$/;

/**
 * `text` with every http(s) URL in it passed through `redactURL`.
 *
 * @example
 * redactText('GET https://r.example/v2/?token=abc failed'); // 'GET https://r.example/v2/?token=REDACTED failed'
 */
export function redactText(text: string): string {
  return text.replace(URL_IN_TEXT, (match) => {
    const tail = TRAILING.exec(match)?.[0] ?? '';
    return redactURL(match.slice(0, match.length - tail.length)) + tail;
  });
}

/**
 * Redacts URLs in the message and stack of `err`, of its `cause` chain and of the errors of an
 * AggregateError, and in a string `url` property (undici and fetch errors carry one). The error
 * is changed in place and returned, so its class and `code` survive; redacting twice is harmless.
 * Values that are not objects are returned as they are.
 *
 * @example
 * throw redactError(err);
 */
export function redactError<E>(err: E): E {
  redactInPlace(err, new Set());
  return err;
}

function redactInPlace(err: unknown, seen: Set<object>): void {
  if (typeof err !== 'object' || err === null || seen.has(err)) return;
  seen.add(err);
  const e = err as { message?: unknown; stack?: unknown; url?: unknown; cause?: unknown };
  for (const key of ['message', 'stack', 'url'] as const) {
    const value = e[key];
    if (typeof value !== 'string') continue;
    const redacted = redactText(value);
    if (redacted === value) continue;
    try {
      e[key] = redacted;
    } catch {
      // A read-only message (DOMException's is a prototype getter) cannot be changed; the rest can.
    }
  }
  if (err instanceof AggregateError) for (const inner of err.errors) redactInPlace(inner, seen);
  redactInPlace(e.cause, seen);
}
