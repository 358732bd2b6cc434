/**
 * @module Descriptors: the `{mediaType, size, digest, …}` references that manifests and indexes
 * are made of (image-spec descriptor.md).
 */
import type { MediaType } from '../types/index.ts';
import { BadDocumentError } from '../errors/index.ts';
import type { Hash } from './hash.ts';
import { Platform } from './platform.ts';
import {
  assemble,
  expectHash,
  expectInteger,
  expectObject,
  optString,
  optStringArray,
  optStringMap,
} from './guard.ts';

/** A content descriptor. Unknown fields read from a document are kept as extra properties. */
export interface Descriptor {
  readonly mediaType: MediaType;
  readonly size: number;
  readonly digest: Hash;
  /** Inline content (base64 in JSON); verified against digest and size when used. */
  readonly data?: Uint8Array;
  readonly urls?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: Platform;
  readonly artifactType?: string;
}

const base64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Reads a descriptor object found at `path` of a document. */
export function parseDescriptorValue(v: unknown, path: string): Descriptor {
  const o = expectObject(v, path);
  let data: Uint8Array | undefined;
  if (o['data'] != null) {
    const s = o['data'];
    if (typeof s !== 'string' || s.length % 4 !== 0 || !base64.test(s)) {
      throw new BadDocumentError('expected standard base64 string', `${path}.data`);
    }
    data = Buffer.from(s, 'base64');
  }
  return assemble<Descriptor>(o, {
    // Go decodes a missing mediaType as "": tolerated, validate reports it where it matters.
    mediaType: optString(o['mediaType'], `${path}.mediaType`) ?? '',
    size: expectInteger(o['size'] ?? 0, `${path}.size`, { min: 0 }),
    digest: expectHash(o['digest'], `${path}.digest`),
    data,
    urls: optStringArray(o['urls'], `${path}.urls`),
    annotations: optStringMap(o['annotations'], `${path}.annotations`),
    platform: o['platform'] == null ? undefined : Platform.fromJSON(o['platform'], `${path}.platform`),
    artifactType: optString(o['artifactType'], `${path}.artifactType`),
  });
}
