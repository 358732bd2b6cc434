/**
 * @module Test helpers for the layout tests: temp folders, a listing of what a folder holds, and
 * small hand-built indexes over given children (with the descriptors a test wants).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Image, ImageIndex } from '../v1/interfaces.ts';
import { parseIndexManifest, type IndexManifest } from '../v1/manifest.ts';
import { marshalIndexManifest } from '../internal/gojson/index.ts';
import { NotFoundError } from '../errors/index.ts';
import { descriptor } from '../partial/describe.ts';
export { buffer as drain } from 'node:stream/consumers';

/** A fresh temp folder and its removal. */
export async function tempFolder(label: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `layout-${label}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Every file under `dir`, as sorted slash-separated relative names. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).split('\\').join('/'))
    .sort();
}

/** A child of {@link indexOf}: an image or index, with extra descriptor fields. */
export interface Child {
  readonly of: Image | ImageIndex;
  readonly extra?: Partial<Descriptor>;
}

function isIndexView(x: Image | ImageIndex): x is ImageIndex {
  return typeof (x as ImageIndex).indexManifest === 'function';
}

/**
 * An OCI index over `children`, in order, each described by its own descriptor plus `extra`, and
 * raw `opaque` descriptors (children of unknown media types) appended after them.
 */
export async function indexOf(children: readonly Child[], opaque: readonly Descriptor[] = []): Promise<ImageIndex> {
  const manifests: Descriptor[] = [];
  for (const c of children) manifests.push({ ...(await descriptor(c.of)), ...(c.extra ?? {}) });
  manifests.push(...opaque);
  const raw = marshalIndexManifest({ schemaVersion: 2, mediaType: types.OCIImageIndex, manifests } as IndexManifest);
  const find = async (h: Hash) => {
    for (const c of children) if ((await c.of.digest()).equals(h)) return c.of;
    throw new NotFoundError(`test index has no child ${h}`);
  };
  return {
    mediaType: async () => types.OCIImageIndex,
    digest: async () => Hash.of(raw),
    size: async () => raw.length,
    rawManifest: async () => raw,
    indexManifest: async () => parseIndexManifest(raw),
    image: async (h) => find(h) as Promise<Image>,
    imageIndex: async (h) => {
      const x = await find(h);
      if (!isIndexView(x)) throw new NotFoundError(`${h} is an image`);
      return x;
    },
  };
}

