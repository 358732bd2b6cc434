/**
 * @module Metadata equality of two views (ggcr's `pkg/v1/compare`): digests, config names,
 * manifests, sizes, media types and each layer's digest, diffID, size and media type. Contents are
 * not read; pair it with `validate` for that. Throws `ValidationError` listing every difference.
 */
import { isDeepStrictEqual } from 'node:util';
import { ValidationError } from '../errors/index.ts';
import type { Image, ImageIndex, Layer } from '../v1/interfaces.ts';

type Diff = string[];

async function same<T>(diff: Diff, what: string, a: () => Promise<T>, b: () => Promise<T>): Promise<void> {
  const [x, y] = await Promise.all([a(), b()]);
  if (!isDeepStrictEqual(String(x), String(y)) && !isDeepStrictEqual(x, y)) {
    diff.push(`${what}: ${String(x)} != ${String(y)}`);
  }
}

async function layerDiff(a: Layer, b: Layer, where: string, diff: Diff): Promise<void> {
  await same(diff, `${where} digest`, () => a.digest(), () => b.digest());
  await same(diff, `${where} diffID`, () => a.diffID(), () => b.diffID());
  await same(diff, `${where} size`, () => a.size(), () => b.size());
  await same(diff, `${where} mediaType`, () => a.mediaType(), () => b.mediaType());
}

function done(diff: Diff): void {
  if (diff.length) throw new ValidationError(diff);
}

/** Throws unless the layers agree on digest, diffID, size and media type. */
export async function layers(a: Layer, b: Layer): Promise<void> {
  const diff: Diff = [];
  await layerDiff(a, b, 'layer', diff);
  done(diff);
}

/** Throws unless the images agree on every piece of metadata, layer by layer. */
export async function images(a: Image, b: Image): Promise<void> {
  const diff: Diff = [];
  await same(diff, 'digest', () => a.digest(), () => b.digest());
  await same(diff, 'configName', () => a.configName(), () => b.configName());
  await same(diff, 'size', () => a.size(), () => b.size());
  await same(diff, 'mediaType', () => a.mediaType(), () => b.mediaType());
  const [ma, mb] = await Promise.all([a.rawManifest(), b.rawManifest()]);
  if (!ma.equals(mb)) diff.push('rawManifest: bytes differ');
  const [la, lb] = await Promise.all([a.layers(), b.layers()]);
  if (la.length !== lb.length) diff.push(`layers: ${la.length} != ${lb.length}`);
  else for (const [i, l] of la.entries()) await layerDiff(l, lb[i]!, `layer[${i}]`, diff);
  done(diff);
}

/** Throws unless the indexes agree on digest, size, media type and manifest bytes. */
export async function indexes(a: ImageIndex, b: ImageIndex): Promise<void> {
  const diff: Diff = [];
  await same(diff, 'digest', () => a.digest(), () => b.digest());
  await same(diff, 'size', () => a.size(), () => b.size());
  await same(diff, 'mediaType', () => a.mediaType(), () => b.mediaType());
  const [ma, mb] = await Promise.all([a.rawManifest(), b.rawManifest()]);
  if (!ma.equals(mb)) diff.push('rawManifest: bytes differ');
  done(diff);
}
