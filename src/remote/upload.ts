/**
 * @module Uploading one blob (distribution-spec "pushing blobs"): skip what the repository has
 * (HEAD), mount from another repository of the same registry, a monolithic POST for small
 * blobs, and for the rest a session whose PATCH resumes after a dropped connection from the
 * offset the registry reports (ggcr #1448: ggcr restarts a 40 GB layer from zero).
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { Repository } from '../name/index.ts';
import type { Hash } from '../v1/hash.ts';
import { isTemporary } from '../internal/retry/index.ts';
import { pipe } from '../internal/pipe/index.ts';
import { checkRedirect, type Transport } from './transport/index.ts';
import { headBlob, headerOf } from './fetcher.ts';
import { BadDocumentError } from '../errors/index.ts';

/** Blobs up to this size go in one POST: one round trip instead of three. */
export const MONOLITHIC_LIMIT = 1024 * 1024;
/** How many times a dropped PATCH is resumed before giving up. */
const RESUMES = 5;

export interface BlobSource {
  readonly digest: Hash;
  readonly size: number;
  /** Opens the blob from its start; called again to resume (the first bytes are then skipped). */
  open(): Promise<Readable>;
  /** A repository of the same registry that has the blob (cross-repository mount). */
  readonly mountFrom?: Repository | undefined;
}

export type UploadOutcome = 'existing' | 'mounted' | 'pushed';

/** Drops the first `n` bytes of a stream (resuming a re-opened blob past what the registry has). */
function skip(n: number): Transform {
  let left = n;
  return new Transform({
    transform(chunk: Buffer, _e, cb: TransformCallback) {
      if (left >= chunk.length) {
        left -= chunk.length;
        return cb();
      }
      const rest = chunk.subarray(left);
      left = 0;
      cb(null, rest);
    },
  });
}

/** Reports the offset in the blob that the bytes leaving have reached, this attempt starting at `from`. */
function meter(from: number, reach: (offset: number) => void): Transform {
  let offset = from;
  return new Transform({
    transform(chunk: Buffer, _e, cb: TransformCallback) {
      offset += chunk.length;
      reach(offset);
      cb(null, chunk);
    },
  });
}

/**
 * A blob's progress as the furthest offset any attempt reached, capped at its size: a body sent
 * again (a retried POST, a PATCH resumed from the registry's offset) re-covers ground already
 * counted, so it adds nothing, and the count never passes the size or goes back.
 */
function highWater(size: number, report: (complete: number) => void): (offset: number) => void {
  let reached = -1; // so that even an empty blob reports its end
  return (offset) => {
    const n = size >= 0 ? Math.min(offset, size) : offset;
    if (n <= reached) return;
    reached = n;
    report(n);
  };
}

function location(t: Transport, headers: Record<string, string | string[] | undefined>, what: string): string {
  const loc = headerOf(headers, 'location');
  if (!loc) throw new BadDocumentError(`${what} at ${t.registry.registryStr()}: the registry answered without a Location header`, 'Location');
  // An upload Location may send our bytes elsewhere: the same SSRF rules as a redirect (ggcr).
  return checkRedirect(t.url('/'), loc, t.registry.registryStr()).toString();
}

function withDigest(url: string, digest: Hash): string {
  const u = new URL(url);
  u.searchParams.set('digest', digest.toString());
  return u.toString();
}

/** Where the registry says the upload is: the byte after its `Range: 0-<end>`. */
async function uploadedBytes(t: Transport, url: string, signal?: AbortSignal): Promise<number> {
  const res = await t.request({ method: 'GET', url, expect: [204, 200], retry: true, ...(signal ? { signal } : {}) });
  res.body.resume();
  const range = headerOf(res.headers, 'range');
  const m = range ? /(\d+)-(\d+)/.exec(range) : null;
  if (!m) return 0;
  // "0-0" is what distribution says for an empty upload as well as for one byte: treat as empty.
  return Number(m[2]) === 0 ? 0 : Number(m[2]) + 1;
}

/** Options of {@link uploadBlob}. */
export interface UploadOptions {
  readonly signal?: AbortSignal | undefined;
  /**
   * How many bytes of the blob are sent: the furthest any attempt got, never more than the size,
   * so retries and resumed PATCHes do not count twice. Only increases; ends with the size once the
   * registry has the blob (pushed, mounted or already there).
   */
  readonly onProgress?: ((complete: number) => void) | undefined;
}

/**
 * Uploads `src` into `repo` unless it is there, reporting progress through `onProgress`.
 *
 * @example
 * const outcome = await uploadBlob(t, repo, { digest, size, open: () => createReadStream(file) }, { onProgress: (n) => bar.update(n) });
 */
export async function uploadBlob(t: Transport, repo: Repository, src: BlobSource, options: UploadOptions = {}): Promise<UploadOutcome> {
  const reach = highWater(src.size, options.onProgress ?? (() => {}));
  const outcome = await upload(t, repo, src, reach, options.signal);
  if (src.size >= 0) reach(src.size);
  return outcome;
}

async function upload(t: Transport, repo: Repository, src: BlobSource, reach: (offset: number) => void, signal: AbortSignal | undefined): Promise<UploadOutcome> {
  const sig = signal ? { signal } : {};
  if ((await headBlob(t, repo, src.digest, signal)) !== undefined) return 'existing';
  const base = `/v2/${repo.repositoryStr()}/blobs/uploads/`;

  if (src.mountFrom && src.mountFrom.registryStr() === repo.registryStr() && src.mountFrom.repositoryStr() !== repo.repositoryStr()) {
    t.addScopes([src.mountFrom.scope('pull')]);
    const res = await t.request({
      method: 'POST',
      url: `${base}?mount=${src.digest}&from=${encodeURIComponent(src.mountFrom.repositoryStr())}`,
      expect: [201, 202],
      ...sig,
    });
    res.body.resume();
    if (res.status === 201) return 'mounted';
    return patchAndPut(t, location(t, res.headers, 'mount fallback'), src, reach, signal);
  }

  if (src.size >= 0 && src.size <= MONOLITHIC_LIMIT) {
    const res = await t.request({
      method: 'POST',
      url: `${base}?digest=${src.digest}`,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(src.size) },
      body: async () => pipe(await src.open(), meter(0, reach)),
      expect: [201, 202],
      ...sig,
    });
    res.body.resume();
    if (res.status === 201) return 'pushed';
    // A registry that ignores the digest opened a session instead; finish it the usual way.
    return patchAndPut(t, location(t, res.headers, 'monolithic upload'), src, reach, signal);
  }

  const res = await t.request({ method: 'POST', url: base, headers: { 'Content-Type': 'application/json' }, expect: [202], ...sig });
  res.body.resume();
  return patchAndPut(t, location(t, res.headers, 'upload start'), src, reach, signal);
}

async function patchAndPut(t: Transport, url: string, src: BlobSource, reach: (offset: number) => void, signal?: AbortSignal): Promise<UploadOutcome> {
  const sig = signal ? { signal } : {};
  let offset = 0;
  let next = url;
  for (let attempt = 0; ; attempt++) {
    const from = offset;
    try {
      const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
      if (src.size >= 0) {
        headers['Content-Length'] = String(src.size - from);
        // Only a resumed chunk says where it starts: some registries refuse Content-Range on a
        // streamed first PATCH, and ggcr never sends one.
        if (from > 0 && src.size - from > 0) headers['Content-Range'] = `${from}-${src.size - 1}`;
      }
      const res = await t.request({
        method: 'PATCH',
        url: next,
        headers,
        body: async () => pipe(await src.open(), skip(from), meter(from, reach)),
        expect: [202, 201, 204],
        // The whole PATCH is resumed below from the registry's offset, not replayed from zero.
        retry: false,
        ...sig,
      });
      res.body.resume();
      next = headerOf(res.headers, 'location') ? location(t, res.headers, 'PATCH') : next;
      break;
    } catch (err) {
      if (attempt >= RESUMES || !isTemporary(err)) throw err;
      signal?.throwIfAborted();
      offset = await uploadedBytes(t, next, signal);
    }
  }
  const put = await t.request({ method: 'PUT', url: withDigest(next, src.digest), expect: [201, 204], ...sig });
  put.body.resume();
  return 'pushed';
}
