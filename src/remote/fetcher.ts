/**
 * @module Talking to one repository: a transport with the right scopes and credentials, and the
 * reads every remote view is built from — manifests (GET/HEAD, capped, digest-checked) and
 * blobs (streamed, verified for size and digest as they arrive).
 */
import type { Readable } from 'node:stream';
import { Anonymous } from '../authn/authenticator.ts';
import { DigestMismatchError, BadDocumentError, SizeMismatchError } from '../errors/index.ts';
import type { Repository } from '../name/index.ts';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import { readAll } from '../internal/limit/index.ts';
import { verifiedBody } from '../internal/pump/index.ts';
import { newTransport, type Transport } from './transport/index.ts';
import { MANIFEST_LIMIT, type RemoteOptions } from './options.ts';
import { optStringMap, parseJSON } from '../v1/guard.ts';
import { TransferProgress } from '../internal/progress/index.ts';

/** Every manifest type we can read, as ggcr sends them (schema 1 first, for old registries). */
export const ACCEPT_ALL = [
  types.DockerManifestSchema1,
  types.DockerManifestSchema1Signed,
  types.DockerManifestSchema2,
  types.OCIManifestSchema1,
  types.DockerManifestList,
  types.OCIImageIndex,
];
export const ACCEPT_INDEX = [types.DockerManifestList, types.OCIImageIndex];

/**
 * Where a `Puller`/`Pusher` keeps the transports it made, so that every call it makes reuses one
 * transport (and so one token) per repository and action set. Not part of the public options.
 */
export const transportCache = Symbol('containerregistry.remote.transports');

/**
 * Where a `Puller`/`Pusher` (or one `multiWrite`) keeps its overall progress, so that all its
 * calls add to one running figure instead of each starting again from zero.
 */
export const sharedProgress = Symbol('containerregistry.remote.progress');

/** Options as a puller or pusher passes them: the public ones plus its transport cache and progress. */
export type CachingOptions = RemoteOptions & {
  readonly [transportCache]?: Map<string, Promise<Transport>>;
  readonly [sharedProgress]?: TransferProgress;
};

/** The overall progress a call adds to: its session's when it has one, else its own. */
export function progressFor(options: CachingOptions): TransferProgress {
  return options[sharedProgress] ?? new TransferProgress(options.onProgress);
}

/** A transport for `repo` with `actions` (`pull`, `push,pull`, `delete`…), credentials from the options. */
export async function transportFor(repo: Repository, actions: string, options: CachingOptions = {}): Promise<Transport> {
  const cache = options[transportCache];
  if (!cache) return makeTransport(repo, actions, options);
  const key = `${repo.name()} ${actions}`;
  let t = cache.get(key);
  if (!t) {
    t = makeTransport(repo, actions, options);
    cache.set(key, t);
    // A failed handshake (bad credentials, registry down) must not be remembered.
    t.catch(() => cache.delete(key));
  }
  return t;
}

async function makeTransport(repo: Repository, actions: string, options: RemoteOptions): Promise<Transport> {
  const authenticator =
    options.auth ??
    (options.keychain
      ? await options.keychain.resolve({ registry: repo.registryStr(), repository: repo.repositoryStr() }, options.signal ? { signal: options.signal } : {})
      : Anonymous);
  return newTransport(repo.registry, [repo.scope(actions)], { ...options, authenticator });
}

export interface FetchedManifest {
  readonly bytes: Buffer;
  readonly mediaType: string;
  readonly digest: Hash;
  readonly descriptor: Descriptor;
  /** `bytes` parsed as JSON, once, when fetched: the views build their typed documents from it. */
  readonly json: object;
}

function headerOf(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

function isDigest(ref: string): boolean {
  return ref.includes(':');
}

/** GETs a manifest; a by-digest fetch must hash to that digest (by-tag ones ignore the header: registries get it wrong). */
export async function fetchManifest(t: Transport, repo: Repository, ref: string, accept: readonly string[], signal?: AbortSignal): Promise<FetchedManifest> {
  const res = await t.request({
    method: 'GET',
    url: `/v2/${repo.repositoryStr()}/manifests/${ref}`,
    headers: { Accept: accept.join(',') },
    expect: [200],
    ...(signal ? { signal } : {}),
  });
  const bytes = await readAll(res.body, { max: MANIFEST_LIMIT, what: `manifest ${repo.name()}:${ref}` });
  const mediaType = (headerOf(res.headers, 'content-type') ?? '').split(';')[0]!.trim();
  let digest: Hash;
  if (mediaType === types.DockerManifestSchema1Signed) {
    // Signed schema 1 digests cover the payload without its signatures: only the registry knows it.
    digest = Hash.parse(headerOf(res.headers, 'docker-content-digest') ?? Hash.of(bytes).toString());
  } else {
    digest = Hash.of(bytes, isDigest(ref) ? Hash.parse(ref).algorithm : 'sha256');
  }
  if (isDigest(ref) && !digest.equals(ref)) {
    throw new DigestMismatchError(`manifest ${repo.name()}@${ref}: the registry sent bytes that hash to ${digest}`, ref, digest.toString());
  }
  const descriptor: { -readonly [K in keyof Descriptor]: Descriptor[K] } = { mediaType, size: bytes.length, digest };
  const json = parseJSON(bytes, `manifest ${repo.name()}:${ref}`);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new BadDocumentError(`manifest ${repo.name()}:${ref} is not a JSON object`, '');
  }
  const doc = json as { annotations?: unknown; artifactType?: unknown };
  // A copy: the descriptor goes to callers, and the parsed document is shared by every view.
  // Annotations that are not a string map are left to the views' own (strict) parsing, as ggcr
  // ignores what it cannot read here.
  const annotations = stringMapCopy(doc.annotations);
  if (annotations) descriptor.annotations = annotations;
  if (typeof doc.artifactType === 'string') descriptor.artifactType = doc.artifactType;
  return { bytes, mediaType, digest, descriptor, json: doc };
}

function stringMapCopy(v: unknown): Record<string, string> | undefined {
  try {
    return optStringMap(v, 'annotations');
  } catch {
    return undefined;
  }
}

/** HEADs a manifest: its descriptor without the body. ggcr requires all three headers. */
export async function headManifest(t: Transport, repo: Repository, ref: string, accept: readonly string[], signal?: AbortSignal): Promise<Descriptor> {
  const res = await t.request({
    method: 'HEAD',
    url: `/v2/${repo.repositoryStr()}/manifests/${ref}`,
    headers: { Accept: accept.join(',') },
    expect: [200],
    ...(signal ? { signal } : {}),
  });
  res.body.resume();
  const mediaType = headerOf(res.headers, 'content-type');
  const size = headerOf(res.headers, 'content-length');
  const digest = headerOf(res.headers, 'docker-content-digest');
  if (!mediaType || size === undefined || !digest) {
    throw new BadDocumentError(`HEAD ${repo.name()}:${ref}: the registry did not send Content-Type, Content-Length and Docker-Content-Digest`);
  }
  return { mediaType: mediaType.split(';')[0]!.trim(), size: Number(size), digest: Hash.parse(digest) };
}

/** GETs a blob as a stream verified against `digest` (and `size` when known, -1 otherwise). */
export async function fetchBlob(t: Transport, repo: Repository, digest: Hash, size: number, signal?: AbortSignal): Promise<Readable> {
  const res = await t.request({ method: 'GET', url: `/v2/${repo.repositoryStr()}/blobs/${digest}`, expect: [200], ...(signal ? { signal } : {}) });
  const length = headerOf(res.headers, 'content-length');
  if (size >= 0 && length !== undefined && Number(length) !== size) {
    // Destroying an undici body emits 'error' (Request aborted): nobody else listens, so swallow it here.
    res.body.on('error', () => {});
    res.body.destroy();
    throw new SizeMismatchError(`blob ${repo.name()}@${digest}: the registry says ${length} bytes, the descriptor ${size}`, size, Number(length));
  }
  // Pumpable (internal/pump): a layout writer takes the bytes with synchronous writes, straight
  // from the socket's buffer when our own HTTP/1.1 reader served them.
  return verifiedBody(res.body, { digest, size, what: `blob ${repo.name()}@${digest}` });
}

/** HEADs a blob: its size, or undefined when the repository does not have it. */
export async function headBlob(t: Transport, repo: Repository, digest: Hash, signal?: AbortSignal): Promise<number | undefined> {
  const res = await t.request({ method: 'HEAD', url: `/v2/${repo.repositoryStr()}/blobs/${digest}`, expect: [200, 404], ...(signal ? { signal } : {}) });
  res.body.resume();
  if (res.status === 404) return undefined;
  return Number(headerOf(res.headers, 'content-length') ?? -1);
}

export { headerOf };
