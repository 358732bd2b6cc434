/**
 * @module Image manifests and image indexes (OCI and Docker schema 2), parsed by guards that name
 * the path of anything wrong and keep unknown fields.
 */
import type { MediaType } from '../types/index.ts';
import { BadDocumentError } from '../errors/index.ts';
import { parseDescriptorValue, type Descriptor } from './descriptor.ts';
import { assemble, deepFreeze, markNil, expectInteger, expectObject, optArray, optString, optStringMap, parseJSON } from './guard.ts';

/** An image manifest (OCI image manifest or Docker schema 2). */
export interface Manifest {
  readonly schemaVersion: number;
  readonly mediaType?: MediaType;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly subject?: Descriptor;
  readonly artifactType?: string;
}

/** An image index (OCI image index or Docker manifest list). */
export interface IndexManifest {
  readonly schemaVersion: number;
  readonly mediaType?: MediaType;
  readonly manifests: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly subject?: Descriptor;
  readonly artifactType?: string;
}

type Input = Uint8Array | string | object;

function toValue(input: Input, what: string): unknown {
  return typeof input === 'string' || input instanceof Uint8Array ? parseJSON(input, what) : input;
}

/**
 * Parses an image manifest from bytes, text or an already-parsed object. The result is frozen.
 * Throws `BadDocumentError` (`ERR_BAD_DOCUMENT`) naming the path, e.g. `layers[3].digest`.
 */
export function parseManifest(input: Input): Manifest {
  const o = expectObject(toValue(input, 'manifest'), '');
  if (o['config'] == null) throw new BadDocumentError('required field is missing', 'config');
  return deepFreeze(
    markNil(assemble<Manifest>(o, {
      schemaVersion: expectInteger(o['schemaVersion'] ?? 0, 'schemaVersion'),
      mediaType: optString(o['mediaType'], 'mediaType'),
      config: parseDescriptorValue(o['config'], 'config'),
      // Go leaves a missing list nil; we read it as empty and mark it (GO_NIL) for the serializer.
      layers: optArray(o['layers'], 'layers', parseDescriptorValue) ?? [],
      annotations: optStringMap(o['annotations'], 'annotations'),
      subject: o['subject'] == null ? undefined : parseDescriptorValue(o['subject'], 'subject'),
      artifactType: optString(o['artifactType'], 'artifactType'),
    }), o['layers'] == null ? ['layers'] : []),
  );
}

/** Parses an image index; see `parseManifest`. */
export function parseIndexManifest(input: Input): IndexManifest {
  const o = expectObject(toValue(input, 'index manifest'), '');
  return deepFreeze(
    markNil(assemble<IndexManifest>(o, {
      schemaVersion: expectInteger(o['schemaVersion'] ?? 0, 'schemaVersion'),
      mediaType: optString(o['mediaType'], 'mediaType'),
      manifests: optArray(o['manifests'], 'manifests', parseDescriptorValue) ?? [],
      annotations: optStringMap(o['annotations'], 'annotations'),
      subject: o['subject'] == null ? undefined : parseDescriptorValue(o['subject'], 'subject'),
      artifactType: optString(o['artifactType'], 'artifactType'),
    }), o['manifests'] == null ? ['manifests'] : []),
  );
}

/** Parses a single descriptor document (e.g. `application/vnd.oci.descriptor.v1+json`). */
export function parseDescriptor(input: Input): Descriptor {
  return deepFreeze(parseDescriptorValue(toValue(input, 'descriptor'), ''));
}
