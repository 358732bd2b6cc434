/**
 * @module Finding the blobs of a layout that nothing reachable from index.json names (ggcr's
 * experimental `GarbageCollect`). Where ggcr gives up on a child of unknown media type, we keep it
 * and, if it is a JSON document naming blobs (an artifact manifest), what it names: when in doubt
 * a blob is kept, since deleting is the one mistake that cannot be undone.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import { parseDescriptorValue } from '../v1/descriptor.ts';
import { parseIndexManifest, parseManifest } from '../v1/manifest.ts';
import { MANIFEST_LIMIT } from '../internal/limit/index.ts';
import { inFile, readDocument, whereIs, type SourceContext } from './source-blobs.ts';

type Keep = Set<string>;

/** Descriptors an unknown JSON document seems to name (`config`, `layers`, `blobs`, `manifests`, `subject` aside). */
function namedByUnknown(bytes: Buffer): { leaves: Descriptor[]; children: Descriptor[] } {
  const out = { leaves: [] as Descriptor[], children: [] as Descriptor[] };
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    return out;
  }
  if (typeof doc !== 'object' || doc === null) return out;
  const o = doc as Record<string, unknown>;
  const take = (v: unknown, into: Descriptor[]) => {
    try {
      into.push(parseDescriptorValue(v, ''));
    } catch {
      // Not a descriptor: nothing to keep for it.
    }
  };
  if (o['config'] != null) take(o['config'], out.leaves);
  for (const key of ['layers', 'blobs']) if (Array.isArray(o[key])) for (const v of o[key]) take(v, out.leaves);
  if (Array.isArray(o['manifests'])) for (const v of o['manifests']) take(v, out.children);
  return out;
}

async function markManifest(ctx: SourceContext, d: Descriptor, keep: Keep): Promise<void> {
  const key = d.digest.toString();
  if (keep.has(key)) return;
  keep.add(key);
  if (types.isIndex(d.mediaType)) {
    const raw = await readDocument(ctx, d, 'index');
    let children: readonly Descriptor[];
    try {
      children = parseIndexManifest(raw).manifests;
    } catch (err) {
      return inFile(err, `index ${whereIs(ctx, d.digest)}`);
    }
    for (const c of children) await markManifest(ctx, c, keep);
  } else if (types.isImage(d.mediaType)) {
    const raw = await readDocument(ctx, d, 'manifest');
    try {
      const m = parseManifest(raw);
      keep.add(m.config.digest.toString());
      for (const l of m.layers) keep.add(l.digest.toString());
    } catch (err) {
      return inFile(err, `manifest ${whereIs(ctx, d.digest)}`);
    }
  } else if (d.size <= MANIFEST_LIMIT && !d.data) {
    let raw: Buffer;
    try {
      raw = await readDocument(ctx, d, 'blob');
    } catch {
      ctx.signal?.throwIfAborted();
      return; // Missing or unreadable: the entry itself is kept, there is nothing more to learn.
    }
    const named = namedByUnknown(raw);
    for (const l of named.leaves) keep.add(l.digest.toString());
    for (const c of named.children) await markManifest(ctx, c, keep);
  }
}

/** Every `blobs/<alg>/<hex>` file of the layout at `root` (temporary and stray names skipped). */
async function listBlobs(root: string): Promise<Hash[]> {
  const out: Hash[] = [];
  let algorithms;
  try {
    algorithms = await readdir(join(root, 'blobs'), { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  for (const alg of algorithms) {
    if (!alg.isDirectory()) continue;
    for (const f of await readdir(join(root, 'blobs', alg.name), { withFileTypes: true })) {
      if (f.isDirectory()) continue;
      const s = `${alg.name}:${f.name}`;
      if (Hash.isValid(s)) out.push(Hash.parse(s));
    }
  }
  return out.sort((a, b) => (a.toString() < b.toString() ? -1 : 1));
}

/**
 * The blobs of the layout at `root` that no descriptor reachable from `entries` (index.json's
 * manifests) names. A manifest that is missing or malformed fails the whole walk, so nothing is
 * reported unreferenced on partial knowledge.
 */
export async function unreferencedBlobs(root: string, ctx: SourceContext, entries: readonly Descriptor[], rootIndexDigest: Hash): Promise<Hash[]> {
  const keep: Keep = new Set([rootIndexDigest.toString()]);
  for (const d of entries) {
    ctx.signal?.throwIfAborted();
    await markManifest(ctx, d, keep);
  }
  return (await listBlobs(root)).filter((h) => !keep.has(h.toString()));
}
