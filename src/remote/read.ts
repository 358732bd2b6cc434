/**
 * @module Reading from a registry (ggcr's `remote.Get/Head/Image/Index/Layer`): a reference in,
 * a lazy view out. Index → image resolution follows `options.platform` (default linux/amd64).
 */
import { NotFoundError, UnexpectedMediaTypeError } from '../errors/index.ts';
import { Digest, parseReference, type Reference } from '../name/index.ts';
import * as types from '../types/index.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Image, ImageIndex, Layer } from '../v1/interfaces.ts';
import { lazy } from '../internal/lazy/index.ts';
import { Platform } from '../v1/platform.ts';
import { compressedToLayer } from '../partial/layer.ts';
import { ACCEPT_ALL, ACCEPT_INDEX, fetchManifest, headManifest, headBlob, progressFor, transportFor, type CachingOptions, type FetchedManifest } from './fetcher.ts';
import { remoteImage, remoteIndex, remoteLayer, type RemoteContext } from './image.ts';
import { DEFAULT_PLATFORM, type RemoteOptions } from './options.ts';
import { pickChild } from './platform.ts';
import { remoteSchema1, Schema1Error, type Schema1Image } from './schema1.ts';

function toRef(ref: Reference | string): Reference {
  return typeof ref === 'string' ? parseReference(ref) : ref;
}

/** What `get` returns: the manifest as fetched, and ways to view it. */
export interface RemoteDescriptor {
  readonly ref: Reference;
  readonly descriptor: Descriptor;
  readonly manifest: Buffer;
  readonly mediaType: string;
  /** The image it is, or the platform's image of the index it is. */
  image(): Promise<Image>;
  /** The index it is; an error for an image. */
  imageIndex(): Promise<ImageIndex>;
  /** The schema 1 manifest it is (Schema1Error for anything else); `image()` refuses schema 1. */
  schema1(): Promise<Schema1Image>;
}

async function context(ref: Reference, options: CachingOptions): Promise<RemoteContext> {
  const transport = await transportFor(ref.context(), 'pull', options);
  return {
    repo: ref.context(),
    transport,
    signal: options.signal,
    onProgress: options.onProgress,
    onBlobProgress: options.onBlobProgress,
    totals: progressFor(options),
  };
}

/** The image `fetched` is, or the platform's image of the index it is; `index` is its view when made already. */
async function resolveImage(ctx: RemoteContext, fetched: FetchedManifest, options: RemoteOptions, index?: () => Promise<ImageIndex>, depth = 0): Promise<Image> {
  if (types.isImage(fetched.mediaType)) return remoteImage(ctx, fetched);
  if (types.isSchema1(fetched.mediaType)) {
    throw new Schema1Error(`${ctx.repo.name()}@${fetched.digest} is a schema 1 manifest, which has no OCI image view: use schema1() (ggcr #377)`);
  }
  if (!types.isIndex(fetched.mediaType)) {
    throw new UnexpectedMediaTypeError(`${ctx.repo.name()}@${fetched.digest} is ${JSON.stringify(fetched.mediaType)}: not an image or an index`);
  }
  const wanted = options.platform ?? DEFAULT_PLATFORM;
  const im = await (index ? await index() : remoteIndex(ctx, fetched)).indexManifest();
  const d = pickChild(im.manifests, wanted);
  if (!d) {
    const have = im.manifests.map((m) => (m.platform ? Platform.toString(m.platform) : '(none)')).join(', ');
    throw new NotFoundError(`no child of ${ctx.repo.name()}@${fetched.digest} matches platform ${Platform.toString(wanted)} (it has: ${have})`);
  }
  const child = await fetchManifest(ctx.transport, ctx.repo, d.digest.toString(), [d.mediaType], ctx.signal);
  if (types.isIndex(child.mediaType) && depth < 8) return resolveImage(ctx, child, options, undefined, depth + 1);
  return remoteImage(ctx, child, d);
}

/**
 * Fetches the manifest `ref` names and returns it with views over it (ggcr `remote.Get`).
 *
 * @example
 * const desc = await remote.get('alpine:3.20');
 * const img = await desc.image(); // linux/amd64 unless options.platform says otherwise
 */
export async function get(ref: Reference | string, options: RemoteOptions = {}): Promise<RemoteDescriptor> {
  const r = toRef(ref);
  const ctx = await context(r, options);
  const fetched = await fetchManifest(ctx.transport, ctx.repo, r.identifier(), ACCEPT_ALL, options.signal);
  // One index view, so image() and imageIndex() share its parsed manifest.
  const imageIndex = lazy(async (): Promise<ImageIndex> => remoteIndex(ctx, fetched));
  return {
    ref: r,
    descriptor: fetched.descriptor,
    manifest: fetched.bytes,
    mediaType: fetched.mediaType,
    image: () => resolveImage(ctx, fetched, options, imageIndex),
    imageIndex,
    schema1: async () => remoteSchema1(ctx, fetched),
  };
}

/** The descriptor of what `ref` names, from a HEAD request (ggcr `remote.Head`). */
export async function head(ref: Reference | string, options: RemoteOptions = {}): Promise<Descriptor> {
  const r = toRef(ref);
  const ctx = await context(r, options);
  return headManifest(ctx.transport, ctx.repo, r.identifier(), ACCEPT_ALL, options.signal);
}

/** The image `ref` names (an index resolves to `options.platform`'s image). */
export async function image(ref: Reference | string, options: RemoteOptions = {}): Promise<Image> {
  return (await get(ref, options)).image();
}

/** The index `ref` names; only index media types are accepted (ggcr `remote.Index`). */
export async function index(ref: Reference | string, options: RemoteOptions = {}): Promise<ImageIndex> {
  const r = toRef(ref);
  const ctx = await context(r, options);
  const fetched = await fetchManifest(ctx.transport, ctx.repo, r.identifier(), ACCEPT_INDEX, options.signal);
  return remoteIndex(ctx, fetched);
}

/** A single blob as a layer, by digest reference (ggcr `remote.Layer`); its size comes from a HEAD. */
export async function layer(ref: Digest | string, options: RemoteOptions = {}): Promise<Layer> {
  const r = typeof ref === 'string' ? Digest.parse(ref) : ref;
  const ctx = await context(r, options);
  const h = r.hash();
  const size = await headBlob(ctx.transport, ctx.repo, h, options.signal);
  if (size === undefined) {
    // A HEAD has no body: ask with a GET so the error carries the registry's own words (BLOB_UNKNOWN…).
    const res = await ctx.transport.request({ method: 'GET', url: `/v2/${ctx.repo.repositoryStr()}/blobs/${h}`, expect: [200], ...(options.signal ? { signal: options.signal } : {}) });
    res.body.destroy();
    throw new NotFoundError(`blob ${r.name()} not found`);
  }
  return compressedToLayer(remoteLayer(ctx, { mediaType: types.DockerLayer, size, digest: h }));
}
