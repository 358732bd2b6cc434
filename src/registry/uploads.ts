/**
 * @module Upload routes: POST (session start, monolithic with `?digest=`, cross-repository mount
 * with `mount`+`from` falling back to a session), PATCH (streamed, or a chunk with
 * `Content-Range`, 416 when out of order), GET (status: 204 with `Range`), PUT `?digest=` (with or
 * without a last chunk) and DELETE. Bodies stream into storage; nothing is buffered here.
 */
import type { IncomingMessage } from 'node:http';
import { DigestMismatchError, SizeMismatchError, UploadNotFoundError, UploadOffsetError } from '../errors/index.ts';
import type { Hash } from '../v1/hash.ts';
import { blobPath, type Ctx, uploadPath, uploadRange } from './context.ts';
import { RegistryHttpError, digestInvalid, uploadUnknown, unsupported } from './http-errors.ts';
import { checkName, parseDigest } from './names.ts';
import { discard, send } from './respond.ts';
import type { AppendOptions, UploadInfo } from './storage/types.ts';
import { isUploadId } from './storage/names.ts';


function uploadHeaders(name: string, u: UploadInfo): Record<string, string> {
  return {
    Location: uploadPath(name, u.id),
    Range: uploadRange(u.size),
    'Docker-Upload-UUID': u.id,
  };
}

function created(ctx: Ctx, name: string, digest: Hash): void {
  send(ctx.req, ctx.res, 201, { Location: blobPath(name, digest.toString()), 'Docker-Content-Digest': digest.toString() });
}

/** Content-Range of a chunk: `<start>-<end>` (the spec's form; `bytes ` prefix tolerated). */
function chunkRange(req: IncomingMessage): { start: number; end: number } | undefined {
  const h = req.headers['content-range'];
  if (h === undefined) return undefined;
  const m = /^(?:bytes )?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(h.trim());
  if (!m || Number(m[2]) < Number(m[1])) {
    throw new RegistryHttpError(416, 'BLOB_UPLOAD_INVALID', `invalid Content-Range ${JSON.stringify(h)}: want <start>-<end>`);
  }
  return { start: Number(m[1]), end: Number(m[2]) };
}

function declaredLength(req: IncomingMessage): number | undefined {
  const h = req.headers['content-length'];
  return h === undefined ? undefined : Number(h);
}

/** Appends the request body, translating storage errors to the spec's answers. */
async function append(ctx: Ctx, name: string, id: string, options: AppendOptions): Promise<UploadInfo> {
  try {
    return await ctx.storage.appendUpload(name, id, ctx.req, options);
  } catch (err) {
    if (err instanceof UploadNotFoundError) throw uploadUnknown(id);
    if (err instanceof UploadOffsetError) {
      const u = await ctx.storage.getUpload(name, id);
      throw new RegistryHttpError(416, 'BLOB_UPLOAD_INVALID', `chunk starts at ${err.actual} but the upload has ${err.expected} bytes`, {
        headers: u ? uploadHeaders(name, u) : {},
      });
    }
    if (err instanceof SizeMismatchError) {
      throw new RegistryHttpError(400, 'SIZE_INVALID', `chunk is ${err.actual} bytes, its headers said ${err.expected}`);
    }
    throw err;
  }
}

/** Appends the body, checking Content-Range against the upload; resolves to the upload after it. */
async function appendChunk(ctx: Ctx, name: string, id: string): Promise<UploadInfo> {
  const range = chunkRange(ctx.req);
  const length = declaredLength(ctx.req);
  if (range && length !== undefined && length !== range.end - range.start + 1) {
    discard(ctx.req);
    throw new RegistryHttpError(400, 'SIZE_INVALID', `Content-Length ${length} does not match Content-Range ${range.start}-${range.end}`);
  }
  const chunkLength = range ? range.end - range.start + 1 : length;
  const options: AppendOptions = {
    ...(range ? { offset: range.start } : {}),
    ...(chunkLength !== undefined ? { length: chunkLength } : {}),
  };
  return append(ctx, name, id, options);
}

async function complete(ctx: Ctx, name: string, id: string, digest: Hash): Promise<void> {
  try {
    await ctx.storage.completeUpload(name, id, digest);
  } catch (err) {
    if (err instanceof UploadNotFoundError) throw uploadUnknown(id);
    if (err instanceof DigestMismatchError || err instanceof SizeMismatchError) {
      throw digestInvalid(`uploaded content does not match digest ${digest}: ${err.message}`);
    }
    throw err;
  }
  created(ctx, name, digest);
}

/** POST /v2/<name>/blobs/uploads/ */
export async function startUpload(ctx: Ctx, name: string): Promise<void> {
  const { req, res, url, storage } = ctx;
  if (req.method !== 'POST') throw unsupported(`${req.method} is not allowed on the uploads endpoint`);
  await ctx.authorize({ repository: name, actions: ['pull', 'push'] });

  const mount = url.searchParams.get('mount');
  const from = url.searchParams.get('from');
  if (mount && from) {
    const digest = parseDigest(mount);
    checkName(from);
    // Mount only what the caller could read anyway; otherwise fall back to an upload session.
    if ((await ctx.may({ repository: from, actions: ['pull'] })) && (await storage.statBlob(from, digest))) {
      if (await storage.linkBlob(name, digest)) {
        discard(req);
        return created(ctx, name, digest);
      }
    }
  }

  const digestText = url.searchParams.get('digest');
  // Checked before a session exists, so a bad digest leaves nothing behind.
  const digest = digestText === null ? undefined : parseDigest(digestText);
  const u = await storage.createUpload(name);
  if (digest) {
    // Monolithic upload: the whole blob in the POST body.
    try {
      await appendChunk(ctx, name, u.id);
      return await complete(ctx, name, u.id, digest);
    } catch (err) {
      await storage.cancelUpload(name, u.id).catch(() => {});
      throw err;
    }
  }
  discard(req);
  send(req, res, 202, uploadHeaders(name, u));
}

/** PATCH / PUT / GET / DELETE /v2/<name>/blobs/uploads/<id> */
export async function upload(ctx: Ctx, name: string, id: string): Promise<void> {
  const { req, res, url, storage } = ctx;
  // Upload ids are the lowercase UUIDs the storage hands out; anything else cannot be one.
  if (!isUploadId(id)) throw uploadUnknown(id);
  switch (req.method) {
    case 'GET': {
      await ctx.authorize({ repository: name, actions: ['pull', 'push'] });
      const u = await storage.getUpload(name, id);
      if (!u) throw uploadUnknown(id);
      return send(req, res, 204, uploadHeaders(name, u));
    }
    case 'PATCH': {
      await ctx.authorize({ repository: name, actions: ['pull', 'push'] });
      return send(req, res, 202, uploadHeaders(name, await appendChunk(ctx, name, id)));
    }
    case 'PUT': {
      await ctx.authorize({ repository: name, actions: ['pull', 'push'] });
      const digestText = url.searchParams.get('digest');
      if (!digestText) {
        discard(req);
        throw digestInvalid('the digest query parameter is required to complete an upload');
      }
      const digest = parseDigest(digestText);
      const length = declaredLength(req);
      // A last chunk is optional: with a body (or chunked transfer) append it first.
      if ((length !== undefined && length > 0) || req.headers['transfer-encoding'] !== undefined || req.headers['content-range'] !== undefined) {
        await appendChunk(ctx, name, id);
      } else {
        discard(req);
      }
      return complete(ctx, name, id, digest);
    }
    case 'DELETE': {
      await ctx.authorize({ repository: name, actions: ['pull', 'push'] });
      discard(req);
      if (!(await storage.cancelUpload(name, id))) throw uploadUnknown(id);
      return send(req, res, 204, {});
    }
    default:
      throw unsupported(`${req.method} is not allowed on an upload`);
  }
}
