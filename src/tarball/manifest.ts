/**
 * @module `manifest.json` of a `docker save` tarball: one entry per image naming its config file,
 * its tags and its layer files, in the order Docker and ggcr write them. Shared by the reader
 * and the writer so both agree on the shape.
 */
import type { Readable } from 'node:stream';
import { BadDocumentError } from '../errors/index.ts';
import { parseDescriptorValue, type Descriptor } from '../v1/descriptor.ts';
import { expectObject, expectString, parseJSON } from '../v1/guard.ts';
import type { Tag } from '../name/index.ts';
import { descriptorType, field, goStringType, mapOf, omitEmpty, sliceOf, struct } from '../internal/gojson/index.ts';

/** Opens a fresh stream over a whole tarball each time it is called (ggcr's `tarball.Opener`). */
export type Opener = (options?: { signal?: AbortSignal }) => Promise<Readable>;

/** One image in `manifest.json`. Field names are Docker's, so the JSON round-trips. */
export interface TarballDescriptor {
  /** Name of the config file inside the archive (e.g. `sha256:<hex>` or `blobs/sha256/<hex>`). */
  readonly Config: string;
  /** Tags such as `registry.example/repo:tag`; empty for an image saved by digest. */
  readonly RepoTags: readonly string[];
  /** Names of the layer files inside the archive, base first. */
  readonly Layers: readonly string[];
  /** Descriptors of layers not stored in the archive (foreign layers), keyed by diffID. */
  readonly LayerSources?: Readonly<Record<string, Descriptor>>;
}

/** The whole of `manifest.json`. */
export type TarballManifest = readonly TarballDescriptor[];

/** Parses `manifest.json`, naming the path of anything malformed. */
export function parseTarballManifest(input: Uint8Array | string): TarballManifest {
  const doc = parseJSON(input, 'manifest.json');
  if (!Array.isArray(doc)) throw new BadDocumentError('manifest.json: expected an array of images', '');
  return doc.map((v, i): TarballDescriptor => {
    const path = `[${i}]`;
    const o = expectObject(v, path);
    const strings = (key: string): string[] => {
      const list = o[key];
      if (list == null) return [];
      if (!Array.isArray(list)) throw new BadDocumentError('expected array of strings', `${path}.${key}`);
      return list.map((s, j) => expectString(s, `${path}.${key}[${j}]`));
    };
    const entry: TarballDescriptor = {
      Config: expectString(o['Config'], `${path}.Config`),
      RepoTags: strings('RepoTags'),
      Layers: strings('Layers'),
    };
    const sources = o['LayerSources'];
    if (sources == null) return entry;
    const so = expectObject(sources, `${path}.LayerSources`);
    const parsed: Record<string, Descriptor> = {};
    for (const [k, d] of Object.entries(so)) parsed[k] = parseDescriptorValue(d, `${path}.LayerSources[${JSON.stringify(k)}]`);
    return { ...entry, LayerSources: parsed };
  });
}

/**
 * ggcr's `tarball.Descriptor` as Go's encoding/json writes it (for both the tarball and the legacy
 * writer): `RepoTags` has no `omitempty`, so an image saved only by digest is written
 * `"RepoTags":null` (Go's nil slice); `LayerSources` is dropped when empty.
 */
export const tarballManifestType = sliceOf(
  struct('tarball.Descriptor', [
    field('Config', goStringType),
    field('RepoTags', sliceOf(goStringType)),
    field('Layers', sliceOf(goStringType)),
    omitEmpty('LayerSources', mapOf(descriptorType)),
  ]),
);

/**
 * The `RepoTags` string of a tag: what the user wrote, with the tag appended when it was left
 * implicit, because `docker load` cannot load an image whose tag is missing (ggcr #890; ggcr's
 * legacy writer does not, and its archives fail to load with "invalid tag"); the fully qualified
 * name is not used because rules_docker relies on the short form (ggcr #527). ggcr checks only for
 * `latest`; a tag parsed with another default tag is spelled out the same way.
 */
export function repoTag(tag: Tag): string {
  const s = tag.toString();
  const id = tag.identifier();
  return s.endsWith(`:${id}`) ? s : `${s}:${id}`;
}
