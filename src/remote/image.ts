/**
 * @module Remote images and indexes as lazy views: manifests fetched once, configs and layers
 * only when read, every blob verified as it streams.
 */
import { Readable, Transform } from 'node:stream';
import { pipe } from '../internal/pipe/index.ts';
import { NotFoundError, UnexpectedMediaTypeError } from '../errors/index.ts';
import type { Repository } from '../name/index.ts';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Image, ImageIndex } from '../v1/interfaces.ts';
import { parseIndexManifest, parseManifest, type IndexManifest } from '../v1/manifest.ts';
import { expectObject, parseJSON } from '../v1/guard.ts';
import { compressedToImage } from '../partial/image.ts';
import type { BlobProgressCallback, ProgressCallback } from '../v1/progress.ts';
import type { CompressedLayer } from '../partial/cores.ts';
import { lazy } from '../internal/lazy/index.ts';
import { readAll } from '../internal/limit/index.ts';
import { sameBytesAs, verifyDescriptorData } from '../internal/verify/index.ts';
import { countedPump, pumpableStream, pumpOf, verifiedBody } from '../internal/pump/index.ts';
import { checkRedirect, type Transport } from './transport/index.ts';
import { fetchBlob, fetchManifest, headBlob, type FetchedManifest } from './fetcher.ts';
import type { TransferProgress } from '../internal/progress/index.ts';
import { MANIFEST_LIMIT } from './options.ts';

/** Shared by the views of one pull: the repository and its transport. */
export interface RemoteContext {
  readonly repo: Repository;
  readonly transport: Transport;
  readonly signal?: AbortSignal | undefined;
  /** Pull progress: every blob read through these views counts (bytes, overall and per blob). */
  readonly onProgress?: ProgressCallback | undefined;
  readonly onBlobProgress?: BlobProgressCallback | undefined;
  /** Overall progress shared by the views of one pull (and by every call of a `Puller`). */
  readonly totals: TransferProgress;
}

/** Reports a blob's bytes as they are read (pulls have progress too, unlike ggcr). */
function metered(ctx: RemoteContext, desc: Descriptor, s: Readable): Readable {
  if (!ctx.onProgress && !ctx.onBlobProgress) return s;
  const size = Math.max(desc.size, 0);
  const key = desc.digest.toString();
  // A blob read twice (a retried copy, a second writer) counts once towards the overall figure;
  // one of unknown size (fetched by a digest the manifest does not name) counts as it arrives.
  const advance = ctx.totals.blob(`${ctx.repo.name()}@${key}`, desc.size);
  let seen = 0;
  ctx.onBlobProgress?.({ digest: key, total: size, complete: 0 });
  const count = (n: number): void => {
    seen += n;
    advance(seen);
    ctx.onBlobProgress?.({ digest: key, total: size, complete: Math.min(seen, size) });
  };
  // A pass-through, not a 'data' listener: listening would start the flow before the reader.
  const meter = (): Readable =>
    pipe(
      s,
      new Transform({
        transform(c: Buffer, _e, cb) {
          count(c.length);
          cb(null, c);
        },
      }),
    );
  const pump = pumpOf(s);
  const out = pump
    ? pumpableStream({
        stream: meter,
        pump: countedPump(pump, count),
        abandon: () => s.destroy(),
      })
    : meter();
  // The meter passes the verified bytes through unchanged: a sink may rely on the upstream check.
  return sameBytesAs(out, s);
}

async function fetchForeign(ctx: RemoteContext, desc: Descriptor, signal: AbortSignal | undefined, first: unknown): Promise<Readable> {
  let last = first;
  for (const u of desc.urls ?? []) {
    try {
      const url = checkRedirect(ctx.transport.url('/'), u, ctx.transport.registry.registryStr());
      const res = await ctx.transport.request({ method: 'GET', url: url.toString(), expect: [200], ...(signal ? { signal } : {}) });
      return verifiedBody(res.body, { digest: desc.digest, size: desc.size, what: `foreign layer ${desc.digest} from ${url.origin}` });
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

/** A layer of a remote image: facts from the manifest, bytes on demand, existence by HEAD. */
export function remoteLayer(ctx: RemoteContext, desc: Descriptor): CompressedLayer & { exists(): Promise<boolean> } {
  return {
    digest: async () => desc.digest,
    size: async () => desc.size,
    mediaType: async () => desc.mediaType,
    descriptor: async () => desc,
    mountFrom: ctx.repo,
    compressed: async (o) => {
      if (desc.data) return Readable.from([Buffer.from(verifyDescriptorData(desc, { what: `layer ${desc.digest}` }))]);
      const signal = o?.signal ?? ctx.signal;
      try {
        return metered(ctx, desc, await fetchBlob(ctx.transport, ctx.repo, desc.digest, desc.size, signal));
      } catch (err) {
        // Foreign / non-distributable layers live at their `urls`: the registry first, then each
        // URL in turn (ggcr), every one under the SSRF rules, the bytes verified all the same.
        if (!desc.urls?.length) throw err;
        return metered(ctx, desc, await fetchForeign(ctx, desc, signal, err));
      }
    },
    exists: async () => (await headBlob(ctx.transport, ctx.repo, desc.digest, ctx.signal)) !== undefined,
  };
}

/** Wraps a fetched image manifest as an `Image`. `desc` is how its parent (or the request) described it. */
export function remoteImage(ctx: RemoteContext, fetched: FetchedManifest, desc: Descriptor = fetched.descriptor): Image {
  if (!types.isImage(fetched.mediaType) && !types.isImage(desc.mediaType)) {
    throw new UnexpectedMediaTypeError(`${ctx.repo.name()}@${fetched.digest} is ${fetched.mediaType}, not an image manifest`);
  }
  // One parse per fetched manifest: the view's manifest(), layers() and configName() use it too.
  const manifest = lazy(async () => parseManifest(fetched.json));
  const img = compressedToImage({
    mediaType: async () => fetched.mediaType || desc.mediaType,
    rawManifest: async () => fetched.bytes,
    manifest,
    descriptor: async () => desc,
    rawConfigFile: async () => {
      const c = (await manifest()).config;
      // Inline config data saves a round trip; it is verified like any blob.
      if (c.data) return Buffer.from(verifyDescriptorData(c, { what: `config ${c.digest}` }));
      return readAll(await fetchBlob(ctx.transport, ctx.repo, c.digest, c.size, ctx.signal), { max: MANIFEST_LIMIT, what: `config ${c.digest}` });
    },
    layerByDigest: async (h) => {
      const m = await manifest();
      const d = m.layers.find((l) => l.digest.equals(h)) ?? (m.config.digest.equals(h) ? m.config : undefined);
      // Blobs the manifest does not name are still fetched by digest (ggcr's remote.Layer).
      return remoteLayer(ctx, d ?? { mediaType: types.DockerLayer, size: -1, digest: h });
    },
  });
  return img;
}

/** A child manifest carried in its descriptor's `data`, verified, as if fetched. */
function inlineManifest(d: Descriptor): FetchedManifest {
  const bytes = Buffer.from(verifyDescriptorData(d));
  return { bytes, mediaType: d.mediaType, digest: d.digest, descriptor: d, json: expectObject(parseJSON(bytes, `manifest ${d.digest}`), '') };
}

/** Wraps a fetched index manifest as an `ImageIndex` whose children are fetched on demand. */
export function remoteIndex(
  ctx: RemoteContext,
  fetched: FetchedManifest,
  desc: Descriptor = fetched.descriptor,
): ImageIndex & { descriptor(): Promise<Descriptor>; blob(h: Hash, options?: { signal?: AbortSignal }): Promise<Readable> } {
  if (!types.isIndex(fetched.mediaType) && !types.isIndex(desc.mediaType)) {
    throw new UnexpectedMediaTypeError(`${ctx.repo.name()}@${fetched.digest} is ${fetched.mediaType}, not an index`);
  }
  const im = lazy(async (): Promise<IndexManifest> => parseIndexManifest(fetched.json));
  const child = async (h: Hash): Promise<{ d: Descriptor; f: FetchedManifest }> => {
    const d = (await im()).manifests.find((x) => x.digest.equals(h));
    if (!d) throw new NotFoundError(`index ${ctx.repo.name()}@${fetched.digest} has no child ${h}`);
    const f = d.data ? inlineManifest(d) : await fetchManifest(ctx.transport, ctx.repo, d.digest.toString(), [d.mediaType], ctx.signal);
    return { d, f };
  };
  return {
    mediaType: async () => fetched.mediaType || desc.mediaType,
    digest: async () => fetched.digest,
    size: async () => fetched.bytes.length,
    rawManifest: async () => fetched.bytes,
    indexManifest: im,
    descriptor: async () => desc,
    /**
     * A child of a media type nobody here understands (an artifact manifest…), verified, so it
     * can be copied as it is, e.g. into a layout (ggcr's `remoteIndex.Layer`, its workaround for
     * #819). An index names manifests, so it is asked for as one; a registry that only has it as
     * a blob is asked for that.
     */
    async blob(h: Hash, options?: { signal?: AbortSignal }) {
      const d = (await im()).manifests.find((x) => x.digest.equals(h));
      const signal = options?.signal ?? ctx.signal;
      try {
        const f = await fetchManifest(ctx.transport, ctx.repo, h.toString(), d ? [d.mediaType, '*/*'] : ['*/*'], signal);
        return Readable.from([f.bytes]);
      } catch (err) {
        if ((err as { status?: number }).status !== 404) throw err;
        return fetchBlob(ctx.transport, ctx.repo, h, d?.size ?? -1, signal);
      }
    },
    async image(h) {
      const { d, f } = await child(h);
      return remoteImage(ctx, f, d);
    },
    async imageIndex(h) {
      const { d, f } = await child(h);
      return remoteIndex(ctx, f, d);
    },
  };
}

