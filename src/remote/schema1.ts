/**
 * @module Docker schema 1 manifests, read only (ggcr's `Descriptor.Schema1()`): old registries
 * and old images still serve them. They are never produced; they can be copied (their blobs, then
 * the manifest bytes as they are) and their layers read. `Image()` on one is `Schema1Error`.
 */
import { BadDocumentError, OciError } from '../errors/index.ts';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import { expectObject, expectString, parseJSON } from '../v1/guard.ts';
import type { Layer } from '../v1/interfaces.ts';
import { compressedToLayer } from '../partial/layer.ts';
import { DEFAULT_JOBS, mapLimit } from '../internal/limiter/index.ts';
import { lazy } from '../internal/lazy/index.ts';
import { headBlob, type FetchedManifest } from './fetcher.ts';
import { remoteLayer, type RemoteContext } from './image.ts';

/** A schema 1 manifest where an OCI / Docker schema 2 view was asked for (ggcr `ErrSchema1`, #377). */
export class Schema1Error extends OciError {
  override readonly code = 'ERR_SCHEMA1';
}

/** What a schema 1 manifest can give: its bytes and its layers, base first. */
export interface Schema1Image {
  mediaType(): Promise<string>;
  digest(): Promise<Hash>;
  size(): Promise<number>;
  rawManifest(): Promise<Buffer>;
  /** The `fsLayers` blobs, base first (schema 1 lists them top first), one per entry. */
  layers(): Promise<readonly Layer[]>;
}

/** The blob digests of a schema 1 manifest, base first, as listed (duplicates kept). */
export function schema1BlobSums(raw: Uint8Array): Hash[] {
  return blobSums(parseJSON(raw, 'schema 1 manifest'));
}

function blobSums(json: unknown): Hash[] {
  const doc = expectObject(json, '');
  if (doc['schemaVersion'] !== 1) throw new BadDocumentError(`expected schemaVersion 1, got ${JSON.stringify(doc['schemaVersion'])}`, 'schemaVersion');
  const fs = doc['fsLayers'];
  if (!Array.isArray(fs)) throw new BadDocumentError('expected an array', 'fsLayers');
  return fs.map((l, i) => Hash.parse(expectString(expectObject(l, `fsLayers[${i}]`)['blobSum'], `fsLayers[${i}].blobSum`))).reverse();
}

/** A schema 1 manifest fetched from a registry, as a view. Sizes come from HEADs (schema 1 has none). */
export function remoteSchema1(ctx: RemoteContext, fetched: FetchedManifest): Schema1Image {
  if (!types.isSchema1(fetched.mediaType)) throw new Schema1Error(`${ctx.repo.name()}@${fetched.digest} is ${fetched.mediaType}, not schema 1`);
  const layers = lazy(async (): Promise<readonly Layer[]> => {
    const sums = blobSums(fetched.json);
    const sizes = new Map<string, Promise<number>>();
    const sizeOf = (h: Hash): Promise<number> => {
      let p = sizes.get(h.toString());
      if (!p) {
        p = headBlob(ctx.transport, ctx.repo, h, ctx.signal).then((n) => {
          if (n === undefined) throw new BadDocumentError(`schema 1 manifest ${ctx.repo.name()}@${fetched.digest} names blob ${h}, which the registry does not have`);
          return n;
        });
        sizes.set(h.toString(), p);
      }
      return p;
    };
    // One HEAD per distinct layer, DEFAULT_JOBS at a time: schema 1 images can list hundreds.
    return mapLimit(sums, DEFAULT_JOBS, async (h) => {
      const size = await sizeOf(h);
      return compressedToLayer(remoteLayer(ctx, { mediaType: types.DockerLayer, size, digest: h }));
    });
  });
  return {
    mediaType: async () => fetched.mediaType,
    digest: async () => fetched.digest,
    size: async () => fetched.bytes.length,
    rawManifest: async () => fetched.bytes,
    layers,
  };
}
