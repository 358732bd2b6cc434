/**
 * @module What a stored manifest points at: the blobs it needs (config, layers), the manifests it
 * lists (an index's children), and its subject. Garbage collection marks from this, and a push
 * uses it to make the manifest's blobs visible in its repository.
 */
import { BadDocumentError } from '../../errors/index.ts';
import { parseDescriptorValue, type Descriptor } from '../../v1/descriptor.ts';
import { Hash } from '../../v1/hash.ts';
import { parseIndexManifest, parseManifest } from '../../v1/manifest.ts';

/** Digests (as strings) a manifest references. */
export interface ManifestReferences {
  /** Config, layers (or an artifact's `blobs`, or schema 1 `fsLayers`). */
  readonly blobs: readonly string[];
  /** Children of an index. */
  readonly manifests: readonly string[];
  /** The manifest this one refers to (OCI 1.1 `subject`). */
  readonly subject?: string;
}

const none: ManifestReferences = Object.freeze({ blobs: [], manifests: [] });

/**
 * Reads what `bytes` references, deciding by the document's shape rather than its media type, so
 * that every kind a registry may hold is covered: an index (`manifests`), an image manifest
 * (`config`), the withdrawn OCI artifact manifest (`blobs`), Docker schema 1 (`fsLayers`). Bytes
 * that are not a JSON object reference nothing. Throws `BadDocumentError` for a document of a
 * known shape with a malformed reference: a collector must not guess what such a manifest needs.
 */
export function manifestReferences(bytes: Uint8Array): ManifestReferences {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    return none;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return none;
  const o = doc as Record<string, unknown>;
  if (Array.isArray(o['manifests'])) {
    const index = parseIndexManifest(o);
    return withSubject({ blobs: [], manifests: index.manifests.map((d) => d.digest.toString()) }, index.subject);
  }
  if (o['config'] != null) {
    const m = parseManifest(o);
    return withSubject({ blobs: [m.config, ...m.layers].map((d) => d.digest.toString()), manifests: [] }, m.subject);
  }
  if (Array.isArray(o['blobs'])) {
    const blobs = o['blobs'].map((d, i) => parseDescriptorValue(d, `blobs[${i}]`).digest.toString());
    const subject = o['subject'] == null ? undefined : parseDescriptorValue(o['subject'], 'subject');
    return withSubject({ blobs, manifests: [] }, subject);
  }
  if (Array.isArray(o['fsLayers'])) {
    const blobs = o['fsLayers'].map((l: unknown, i) => {
      const sum = typeof l === 'object' && l !== null ? (l as Record<string, unknown>)['blobSum'] : undefined;
      if (typeof sum !== 'string' || !Hash.isValid(sum)) throw new BadDocumentError('invalid blobSum', `fsLayers[${i}].blobSum`);
      return sum;
    });
    return { blobs, manifests: [] };
  }
  return none;
}

function withSubject(refs: { blobs: string[]; manifests: string[] }, subject: Descriptor | undefined): ManifestReferences {
  return subject === undefined ? refs : { ...refs, subject: subject.digest.toString() };
}

/**
 * The descriptor under which a manifest is listed as a referrer when the caller gave none:
 * media type, digest, size, and the manifest's `artifactType` (falling back to its config's media
 * type, as the distribution spec says) and `annotations`.
 */
export function defaultReferrer(bytes: Uint8Array, mediaType: string, digest: Hash): Descriptor {
  let artifactType: string | undefined;
  let annotations: Readonly<Record<string, string>> | undefined;
  try {
    const o = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
    const parsed = Array.isArray(o['manifests']) ? parseIndexManifest(o) : parseManifest(o);
    artifactType = parsed.artifactType ?? ('config' in parsed ? parsed.config.mediaType : undefined);
    annotations = parsed.annotations;
  } catch {
    // A document we cannot read still gets listed, with what we know for certain.
  }
  return {
    mediaType,
    size: bytes.length,
    digest,
    ...(artifactType === undefined ? {} : { artifactType }),
    ...(annotations === undefined ? {} : { annotations }),
  };
}
