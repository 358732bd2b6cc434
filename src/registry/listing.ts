/**
 * @module Listings: tags (`/v2/<name>/tags/list`) and the catalog (`/v2/_catalog`), both with
 * `n` / `last` and a `Link: <…>; rel="next"` header when there is more; and the referrers API
 * (`/v2/<name>/referrers/<digest>`) with the `artifactType` filter and `OCI-Filters-Applied`.
 */
import * as types from '../types/index.ts';
import type { Ctx } from './context.ts';
import { RegistryHttpError, nameUnknown, unsupported } from './http-errors.ts';
import { parseDigest } from './names.ts';
import { send, sendJSON } from './respond.ts';

/** Page size when the client gives none; enough for every real repository, bounded for the catalog. */
const DEFAULT_PAGE = 1000;
const MAX_PAGE = 10000;

function page(ctx: Ctx, all: readonly string[]): { items: string[]; next?: string } {
  const nText = ctx.url.searchParams.get('n');
  const last = ctx.url.searchParams.get('last');
  let n = DEFAULT_PAGE;
  if (nText !== null) {
    if (!/^\d+$/.test(nText)) throw new RegistryHttpError(400, 'UNSUPPORTED', `n must be a non-negative integer, got ${JSON.stringify(nText)}`);
    n = Math.min(Number(nText), MAX_PAGE);
  }
  // Lists are sorted byte-wise, so "after last" is a plain comparison.
  const rest = last === null ? all : all.filter((x) => x > last);
  const items = rest.slice(0, n);
  return rest.length > items.length && items.length > 0 ? { items, next: items[items.length - 1]! } : { items };
}

function link(path: string, n: number, last: string): string {
  return `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`;
}

export async function tags(ctx: Ctx, name: string): Promise<void> {
  if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') throw unsupported(`${ctx.req.method} is not allowed on tags/list`);
  await ctx.authorize({ repository: name, actions: ['pull'] });
  const all = await ctx.storage.listTags(name);
  if (!all) throw nameUnknown(name);
  const { items, next } = page(ctx, all);
  const headers: Record<string, string> = {};
  if (next !== undefined) headers['Link'] = link(`/v2/${name}/tags/list`, items.length, next);
  sendJSON(ctx.req, ctx.res, 200, { name, tags: items }, headers);
}

export async function catalog(ctx: Ctx): Promise<void> {
  if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') throw unsupported(`${ctx.req.method} is not allowed on _catalog`);
  await ctx.authorize({ actions: [], catalog: true });
  const { items, next } = page(ctx, await ctx.storage.listRepositories());
  const headers: Record<string, string> = {};
  if (next !== undefined) headers['Link'] = link('/v2/_catalog', items.length, next);
  sendJSON(ctx.req, ctx.res, 200, { repositories: items }, headers);
}

export async function referrers(ctx: Ctx, name: string, digestText: string): Promise<void> {
  if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') throw unsupported(`${ctx.req.method} is not allowed on referrers`);
  const subject = parseDigest(digestText);
  await ctx.authorize({ repository: name, actions: ['pull'] });
  let manifests = await ctx.storage.listReferrers(name, subject);
  const headers: Record<string, string> = { 'Content-Type': types.OCIImageIndex };
  const wanted = ctx.url.searchParams.getAll('artifactType');
  if (wanted.length > 0) {
    manifests = manifests.filter((d) => d.artifactType !== undefined && wanted.includes(d.artifactType));
    headers['OCI-Filters-Applied'] = 'artifactType';
  }
  // distribution-spec v1.1: an unknown subject still gets 200 and an empty index.
  const body = JSON.stringify({ schemaVersion: 2, mediaType: types.OCIImageIndex, manifests });
  send(ctx.req, ctx.res, 200, headers, body);
}
