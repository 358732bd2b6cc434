/**
 * @module Listings (ggcr's `remote.List`, `Catalog`, `Referrers`): tags and repositories page
 * by page following `Link` headers (same scheme and host only), referrers with the
 * `artifactType` filter applied by the registry when it can and by us when it did not.
 */
import { BadDocumentError } from '../errors/index.ts';
import { Digest, Registry, Repository } from '../name/index.ts';
import * as types from '../types/index.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import { parseIndexManifest } from '../v1/manifest.ts';
import { readAll } from '../internal/limit/index.ts';
import { Anonymous } from '../authn/authenticator.ts';
import { newTransport, type Transport } from './transport/index.ts';
import { transportFor, headerOf, fetchManifest } from './fetcher.ts';
import { DEFAULT_PAGE_SIZE, MANIFEST_LIMIT, type RemoteOptions } from './options.ts';
import { parseJSON } from '../v1/guard.ts';

/** The next page's URL from a `Link: <url>; rel="next"` header, kept to the same origin. */
export function nextLink(current: string, link: string | undefined): string | undefined {
  if (!link) return undefined;
  const m = /<([^>]+)>/.exec(link);
  if (!m) return undefined;
  const next = new URL(m[1]!, current);
  const cur = new URL(current);
  if (next.protocol !== cur.protocol || next.host !== cur.host) {
    throw new BadDocumentError(`Link header points to ${next.origin}, not ${cur.origin}: refused`);
  }
  return next.toString();
}

async function pages<T>(t: Transport, first: string, field: string, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  let url: string | undefined = t.url(first);
  while (url) {
    const res = await t.request({ method: 'GET', url, expect: [200], ...(signal ? { signal } : {}) });
    const body = parseJSON(await readAll(res.body, { max: MANIFEST_LIMIT, what: url }), `page ${url}`);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadDocumentError(`page ${url} is not a JSON object`);
    const items = (body as Record<string, unknown>)[field];
    if (items != null && !Array.isArray(items)) throw new BadDocumentError(`page ${url}: expected an array`, field);
    out.push(...((items ?? []) as T[]));
    url = nextLink(url, headerOf(res.headers, 'link'));
  }
  return out;
}

function pageQuery(options: RemoteOptions): string {
  const n = options.pageSize ?? DEFAULT_PAGE_SIZE;
  return n > 0 ? `?n=${n}` : '';
}

/** Every tag of a repository (ggcr `remote.List`). */
export async function list(repo: Repository | string, options: RemoteOptions = {}): Promise<string[]> {
  const r = typeof repo === 'string' ? Repository.parse(repo) : repo;
  const t = await transportFor(r, 'pull', options);
  return pages<string>(t, `/v2/${r.repositoryStr()}/tags/list${pageQuery(options)}`, 'tags', options.signal);
}

/** Every repository of a registry (ggcr `remote.Catalog`). */
export async function catalog(registry: Registry | string, options: RemoteOptions = {}): Promise<string[]> {
  const reg = typeof registry === 'string' ? Registry.parse(registry) : registry;
  const authenticator =
    options.auth ?? (options.keychain ? await options.keychain.resolve({ registry: reg.registryStr() }) : Anonymous);
  const t = await newTransport(reg, [reg.scope('*')], { ...options, authenticator });
  return pages<string>(t, `/v2/_catalog${pageQuery(options)}`, 'repositories', options.signal);
}

/**
 * The manifests that refer to `subject` (OCI 1.1 referrers). Uses the referrers API, following
 * `Link` pages; a registry without it (404) falls back to the `sha256-<hex>` tag schema.
 */
export async function referrers(subject: Digest | string, options: RemoteOptions & { artifactType?: string } = {}): Promise<Descriptor[]> {
  const d = typeof subject === 'string' ? Digest.parse(subject) : subject;
  const repo = d.context();
  const t = await transportFor(repo, 'pull', options);
  const filter = options.artifactType ? `?artifactType=${encodeURIComponent(options.artifactType)}` : '';
  const first = t.url(`/v2/${repo.repositoryStr()}/referrers/${d.identifier()}${filter}`);
  const res = await t.request({ method: 'GET', url: first, expect: [200, 404, 400], ...(options.signal ? { signal: options.signal } : {}) });
  let manifests: Descriptor[];
  let filtered = false;
  if (res.status === 200) {
    filtered = (headerOf(res.headers, 'oci-filters-applied') ?? '').split(',').map((s) => s.trim()).includes('artifactType');
    manifests = [...parseIndexManifest(await readAll(res.body, { max: MANIFEST_LIMIT, what: first })).manifests];
    let next = nextLink(first, headerOf(res.headers, 'link'));
    while (next) {
      const r2 = await t.request({ method: 'GET', url: next, expect: [200], ...(options.signal ? { signal: options.signal } : {}) });
      manifests.push(...parseIndexManifest(await readAll(r2.body, { max: MANIFEST_LIMIT, what: next })).manifests);
      next = nextLink(next, headerOf(r2.headers, 'link'));
    }
  } else {
    res.body.resume();
    // Fallback tag schema: `<alg>-<hex>` names an index of the referrers.
    const h = d.hash();
    try {
      const f = await fetchManifest(t, repo, `${h.algorithm}-${h.hex}`, [types.OCIImageIndex], options.signal);
      manifests = [...parseIndexManifest(f.json).manifests];
    } catch (err) {
      if ((err as { status?: number }).status === 404) return [];
      throw err;
    }
  }
  return options.artifactType && !filtered ? manifests.filter((m) => m.artifactType === options.artifactType) : manifests;
}
