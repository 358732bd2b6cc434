/**
 * @module Checks an index: its bytes against digest, size and parsed form, then every child —
 * images and nested indexes — against its descriptor (digest, size, media type, platform).
 */
import { isDeepStrictEqual } from 'node:util';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import { parseIndexManifest } from '../v1/manifest.ts';
import { configPlatform } from '../v1/config.ts';
import { Platform } from '../v1/platform.ts';
import type { ImageIndex } from '../v1/interfaces.ts';
import { Problems, type ValidateOptions } from './layer.ts';
import { checkImage } from './image.ts';


/** Validates an index and everything under it; throws `ValidationError` listing every problem. */
export async function index(idx: ImageIndex, options: ValidateOptions = {}): Promise<void> {
  const p = new Problems();
  await checkIndex(idx, '', p, options);
  p.throwIfAny();
}

async function checkIndex(idx: ImageIndex, where: string, p: Problems, options: ValidateOptions): Promise<void> {
  const label = (s: string) => (where ? `${where} ${s}` : s);
  const raw = await p.attempt(label('rawManifest()'), () => idx.rawManifest());
  const im = await p.attempt(label('indexManifest()'), () => idx.indexManifest());
  if (!raw || !im) return;
  const reparsed = await p.attempt(label('index'), async () => parseIndexManifest(raw));
  if (reparsed && !isDeepStrictEqual(reparsed, im)) p.add(label('index'), 'indexManifest() differs from the parsed raw manifest');
  const [digest, size, mediaType] = await Promise.all([
    p.attempt(label('digest()'), () => idx.digest()),
    p.attempt(label('size()'), () => idx.size()),
    p.attempt(label('mediaType()'), () => idx.mediaType()),
  ]);
  const h = Hash.of(raw);
  if (digest && !digest.equals(h)) p.add(label('index'), `digest mismatch: digest() is ${digest}, raw manifest hashes to ${h}`);
  if (size !== undefined && size !== raw.length) p.add(label('index'), `size mismatch: size() is ${size}, raw manifest is ${raw.length} bytes`);
  if (mediaType && im.mediaType && mediaType !== im.mediaType) {
    p.add(label('index'), `mediaType() is ${mediaType} but the manifest says ${im.mediaType}`);
  }

  for (const [i, desc] of im.manifests.entries()) {
    const child = label(`manifests[${i}] ${desc.digest}`);
    const sub = new Problems();
    if (types.isIndex(desc.mediaType)) {
      const c = await sub.attempt(child, () => idx.imageIndex(desc.digest));
      if (c) {
        await checkDescribed(c, desc, child, sub);
        await checkIndex(c, child, sub, options);
      }
    } else if (types.isImage(desc.mediaType)) {
      const img = await sub.attempt(child, () => idx.image(desc.digest));
      if (img) {
        await checkDescribed(img, desc, child, sub);
        await checkImage(img, child, sub, options);
        if (desc.platform) {
          const cf = await sub.attempt(child, () => img.configFile());
          const fromConfig = cf && configPlatform(cf);
          if (fromConfig && !Platform.equals(platformCore(desc.platform), platformCore(fromConfig))) {
            sub.add(child, `descriptor platform ${Platform.toString(desc.platform)} does not match config platform ${Platform.toString(fromConfig)}`);
          }
        }
      }
    }
    // Other media types (artifacts, blobs) are not validated as images, as in ggcr.
    p.list.push(...sub.list);
  }
}

// The config can't carry `features` (a descriptor-only field), so compare what both can hold.
function platformCore(p: Platform): Platform {
  const { features: _f, ...rest } = p;
  return rest;
}

async function checkDescribed(
  v: { digest(): Promise<Hash>; size(): Promise<number>; mediaType(): Promise<string> },
  desc: { digest: Hash; size: number; mediaType: string },
  where: string,
  p: Problems,
): Promise<void> {
  const [d, s, mt] = await Promise.all([
    p.attempt(where, () => v.digest()),
    p.attempt(where, () => v.size()),
    p.attempt(where, () => v.mediaType()),
  ]);
  if (d && !d.equals(desc.digest)) p.add(where, `digest() is ${d}, the index says ${desc.digest}`);
  if (s !== undefined && s !== desc.size) p.add(where, `size() is ${s}, the index says ${desc.size}`);
  if (mt && mt !== desc.mediaType) p.add(where, `mediaType() is ${mt}, the index says ${desc.mediaType}`);
}
