/**
 * @module Blob routes: HEAD / GET (with single byte ranges, 206 / 416) / DELETE of
 * `/v2/<name>/blobs/<digest>`, or a redirect elsewhere for GET / HEAD when the handler's
 * `blobRedirect` says so.
 */
import type { Ctx } from './context.ts';
import { RegistryHttpError, blobUnknown, unsupported } from './http-errors.ts';
import { parseDigest } from './names.ts';
import { send, sendBody } from './respond.ts';
import type { ByteRange } from './storage/types.ts';

/** Parses `bytes=a-b`, `bytes=a-` or `bytes=-n` against `size`; null when unsatisfiable. */
export function parseRange(header: string, size: number): ByteRange | null | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined; // not a single byte range: ignored, the whole blob is sent (RFC 9110 §14.2)
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  let start: number;
  let end: number;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return null;
    start = Math.max(size - n, 0);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return undefined;
  }
  if (start >= size || size === 0) return null;
  return { start, end };
}

export async function blob(ctx: Ctx, name: string, digestText: string): Promise<void> {
  const { req, res, storage } = ctx;
  const digest = parseDigest(digestText);
  if (req.method === 'DELETE') {
    await ctx.authorize({ repository: name, actions: ['delete'] });
    if (!(await storage.unlinkBlob(name, digest))) throw blobUnknown(digestText);
    return send(req, res, 202, { 'Docker-Content-Digest': digest.toString() });
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') throw unsupported(`${req.method} is not allowed on a blob`);
  await ctx.authorize({ repository: name, actions: ['pull'] });
  const info = await storage.statBlob(name, digest);
  if (!info) throw blobUnknown(digestText);
  const redirect = await ctx.blobRedirect?.(name, digest.toString(), req.method);
  if (redirect) return send(req, res, redirect.status ?? 307, { Location: redirect.location });
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest.toString(),
    'Accept-Ranges': 'bytes',
    // Content-addressed: the bytes under this URL never change.
    ETag: `"${digest}"`,
    'Cache-Control': 'max-age=31536000',
  };
  const rangeHeader = req.headers.range;
  const range = rangeHeader ? parseRange(rangeHeader, info.size) : undefined;
  if (range === null) {
    throw new RegistryHttpError(416, 'RANGE_INVALID', `range ${rangeHeader} is not satisfiable for a ${info.size}-byte blob`, {
      headers: { 'Content-Range': `bytes */${info.size}` },
    });
  }
  const status = range ? 206 : 200;
  const length = range ? range.end - range.start + 1 : info.size;
  if (range) headers['Content-Range'] = `bytes ${range.start}-${range.end}/${info.size}`;
  headers['Content-Length'] = length;
  if (req.method === 'HEAD') return send(req, res, status, headers);
  const body = await storage.openBlob(name, digest, range, { stat: info });
  if (!body) throw blobUnknown(digestText);
  res.writeHead(status, headers);
  await sendBody(res, body);
}
