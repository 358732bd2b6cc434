/**
 * @module Which failures are worth retrying: ggcr's default retry predicate, in Node's terms.
 *
 * ggcr retries an error when it says it is temporary (`Temporary() == true`, never for a context
 * deadline), or is `io.ErrUnexpectedEOF`, `io.EOF`, `EPIPE`, `ECONNRESET` or `net.ErrClosed`:
 * all of them "the connection broke under us", which a fresh connection usually fixes. Node
 * reports the same events with the codes below. `ECONNREFUSED` is deliberately absent, as in ggcr:
 * nothing is listening, and retrying only delays the error by seconds.
 */

const TEMPORARY_CODES: ReadonlySet<string> = new Set([
  // Peer reset the connection / we wrote to a closed one (ggcr: syscall.ECONNRESET, EPIPE).
  'ECONNRESET',
  'EPIPE',
  // Timeouts: Go's net errors report Temporary() for them (syscall.Errno.Timeout).
  'ETIMEDOUT',
  // "Temporary failure in name resolution": Go's DNSError.IsTemporary.
  'EAI_AGAIN',
  // A stream closed before its end: Node's io.ErrUnexpectedEOF.
  'ERR_STREAM_PREMATURE_CLOSE',
  // undici: "other side closed" (net.ErrClosed / io.EOF) and a body shorter than its
  // Content-Length (io.ErrUnexpectedEOF).
  'UND_ERR_SOCKET',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  // undici's connect, headers and body timeouts: the net.Error timeouts Go calls temporary.
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** The caller gave up (an AbortSignal, ggcr's context cancel or deadline): never retried. */
function isAbort(err: object): boolean {
  const { name, code } = err as { name?: unknown; code?: unknown };
  return name === 'AbortError' || name === 'TimeoutError' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED';
}

/** The error's own claim, as ggcr's `temporary` interface: a `temporary` flag or method. */
function saysTemporary(err: object): boolean {
  const temporary = (err as { temporary?: unknown }).temporary;
  if (typeof temporary === 'function') return (temporary as () => unknown).call(err) === true;
  return temporary === true;
}

/**
 * True when `err` is a transient network failure worth another attempt: its `code` (or that of
 * an error in its `cause` chain, or of any error in an `AggregateError`) is one of the codes
 * above, or it has `temporary: true` (or a `temporary()` method returning true, as registry
 * errors with a retryable status do). An abort or timeout of the caller's signal anywhere in the
 * chain is never temporary.
 *
 * @example
 * await retry(() => fetchManifest(ref), { shouldRetry: isTemporary });
 */
export function isTemporary(err: unknown): boolean {
  let temporary = false;
  for (const e of errorChain(err)) {
    if (isAbort(e)) return false;
    const code = (e as { code?: unknown }).code;
    if ((typeof code === 'string' && TEMPORARY_CODES.has(code)) || saysTemporary(e)) temporary = true;
  }
  return temporary;
}

/** `err`, the errors of an AggregateError and every `cause`, depth first, each once. */
function* errorChain(err: unknown, seen = new Set<object>()): Generator<object> {
  if (typeof err !== 'object' || err === null || seen.has(err)) return;
  seen.add(err);
  yield err;
  if (err instanceof AggregateError) for (const inner of err.errors) yield* errorChain(inner, seen);
  yield* errorChain((err as { cause?: unknown }).cause, seen);
}
