/**
 * @module Turning the errors of zlib, zstd-napi and fzstd into `CompressionError`s that say which
 * codec failed on what, so callers see one class with a stable code whatever the backend.
 */
import type { Transform, TransformCallback } from 'node:stream';
import { CompressionError } from '../../errors/index.ts';

/** Which way the data was going when a codec failed. */
export type CodecDirection = 'compress' | 'decompress';

/** Builds the error for a failure of `codec`, naming `what` (a layer digest, a path) if known. */
export function codecError(
  codec: 'gzip' | 'zstd',
  direction: CodecDirection,
  what: string | undefined,
  cause: unknown,
): CompressionError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const subject = what ? ` of ${what}` : '';
  const verb = direction === 'decompress' ? 'cannot decompress' : 'cannot compress';
  return new CompressionError(`${verb} ${codec} data${subject}: ${reason}`, { cause });
}

/**
 * Wraps the errors a Transform reports through its `_transform`/`_flush` callbacks (zstd-napi's
 * way). Patching the instance, rather than piping through another Transform, costs no extra hop
 * per chunk. Errors that arrive from elsewhere (an upstream failure passed to `destroy` by
 * `pipeline`) are not the codec's and stay as they are.
 */
export function mapCallbackErrors(stream: Transform, toError: (err: unknown) => Error): void {
  const transform = stream._transform.bind(stream);
  const flush = stream._flush?.bind(stream);
  const wrap =
    (done: TransformCallback): TransformCallback =>
    (err, data) =>
      err ? done(toError(err)) : done(null, data);
  stream._transform = (chunk, encoding, done) => transform(chunk, encoding, wrap(done));
  if (flush) stream._flush = (done) => flush(wrap(done));
}

/**
 * Wraps the errors of a node:zlib stream. zlib reports corrupt input by calling `destroy(err)`
 * with a `Z_*` code, so that is where the error is replaced; other errors pass untouched.
 */
export function mapZlibErrors(stream: Transform, toError: (err: unknown) => Error): void {
  const destroy = stream.destroy.bind(stream);
  stream.destroy = (err?: Error) => {
    const code = (err as { code?: unknown } | undefined)?.code;
    return destroy(typeof code === 'string' && code.startsWith('Z_') ? toError(err) : err);
  };
}
