/**
 * @module Manifest routes: GET / HEAD / PUT / DELETE of `/v2/<name>/manifests/<reference>`. PUT
 * checks that the document parses, that its media type is one we serve and agrees with
 * `Content-Type`, and that everything it references is in the repository; it records a subject
 * for the referrers API and answers `OCI-Subject` when that API is on.
 */
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import { parseIndexManifest, parseManifest } from '../v1/manifest.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import { OciError } from '../errors/index.ts';
import { type Ctx, manifestPath } from './context.ts';
import { RegistryHttpError, digestInvalid, manifestInvalid, manifestUnknown, unsupported } from './http-errors.ts';
import { parseReference } from './names.ts';
import { readBody, send } from './respond.ts';

/** Media types a PUT may carry: images and indexes, OCI and Docker. Schema 1 is not accepted. */
const accepted = new Set([types.OCIManifestSchema1, types.OCIImageIndex, types.DockerManifestSchema2, types.DockerManifestList]);

function contentType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim();
}

export async function manifest(ctx: Ctx, name: string, reference: string): Promise<void> {
  const { req } = ctx;
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      return getManifest(ctx, name, reference, readableReference(reference));
    case 'PUT':
      return putManifest(ctx, name, parseReference(reference));
    case 'DELETE': {
      const ref = readableReference(reference);
      await ctx.authorize({ repository: name, actions: ['delete'] });
      const ok = ref && ('tag' in ref ? await ctx.storage.deleteTag(name, ref.tag) : await ctx.storage.deleteManifest(name, ref.digest));
      if (!ok) throw manifestUnknown(reference);
      return send(req, ctx.res, 202, {});
    }
    default:
      throw unsupported(`${req.method} is not allowed on a manifest`);
  }
}

/**
 * The reference of a read or a delete. One that is neither a tag nor a digest (`.INVALID`, a
 * 200-character tag) names no manifest: undefined, answered 404 MANIFEST_UNKNOWN as the
 * conformance suite expects, never looked up. Only a PUT under such a name is TAG_INVALID. A
 * malformed digest is still DIGEST_INVALID.
 */
function readableReference(reference: string): { tag: string } | { digest: Hash } | undefined {
  try {
    return parseReference(reference);
  } catch (err) {
    if (err instanceof RegistryHttpError && err.code === 'TAG_INVALID') return undefined;
    throw err;
  }
}

async function getManifest(ctx: Ctx, name: string, reference: string, ref: { tag: string } | { digest: Hash } | undefined): Promise<void> {
  await ctx.authorize({ repository: name, actions: ['pull'] });
  const m = ref && (await ctx.storage.getManifest(name, reference));
  if (!m) throw manifestUnknown(reference);
  send(
    ctx.req,
    ctx.res,
    200,
    {
      'Content-Type': m.mediaType,
      'Docker-Content-Digest': m.digest.toString(),
      ETag: `"${m.digest}"`,
      'Content-Length': m.bytes.length,
    },
    m.bytes,
  );
}

async function putManifest(ctx: Ctx, name: string, ref: { tag: string } | { digest: Hash }): Promise<void> {
  const { req, storage } = ctx;
  await ctx.authorize({ repository: name, actions: ['pull', 'push'] });
  const bytes = await readBody(req, ctx.maxManifestBytes, 'manifest');
  const mediaType = contentType(req.headers['content-type']);

  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw manifestInvalid(`manifest is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw manifestInvalid('manifest must be a JSON object');
  const declared = typeof doc['mediaType'] === 'string' ? doc['mediaType'] : undefined;
  const effective = mediaType || declared || '';
  if (!accepted.has(effective)) {
    throw manifestInvalid(`unsupported manifest media type ${JSON.stringify(effective)} (Content-Type ${JSON.stringify(mediaType)})`);
  }
  if (declared !== undefined && declared !== effective) {
    throw manifestInvalid(`manifest mediaType ${JSON.stringify(declared)} does not match Content-Type ${JSON.stringify(effective)}`);
  }

  const algorithm = 'digest' in ref ? ref.digest.algorithm : 'sha256';
  const digest = Hash.of(bytes, algorithm);
  if ('digest' in ref && !ref.digest.equals(digest)) {
    throw digestInvalid(`manifest hashes to ${digest}, not to ${ref.digest} in the URL`);
  }

  let subject: Descriptor | undefined;
  let referrer: Descriptor | undefined;
  try {
    if (types.isIndex(effective)) {
      const idx = parseIndexManifest(doc);
      for (const [i, child] of idx.manifests.entries()) {
        // Foreign / non-distributable children may live elsewhere, as in ggcr's registry.
        if (!types.isDistributable(child.mediaType)) continue;
        if (!(await storage.hasManifest(name, child.digest))) {
          throw new RegistryHttpError(400, 'MANIFEST_BLOB_UNKNOWN', `manifests[${i}] ${child.digest} is not in repository ${name}`, {
            detail: { digest: child.digest.toString() },
          });
        }
      }
      subject = idx.subject;
      referrer = { mediaType: effective, size: bytes.length, digest, ...(idx.artifactType ? { artifactType: idx.artifactType } : {}), ...(idx.annotations ? { annotations: idx.annotations } : {}) };
    } else {
      const m = parseManifest(doc);
      const blobs = [m.config, ...m.layers];
      for (const [i, d] of blobs.entries()) {
        // Only non-distributable layers may live elsewhere: `urls` on an ordinary layer are a
        // mirror hint (image-spec), not a licence to leave the blob out of the registry.
        if (!types.isDistributable(d.mediaType)) continue;
        if (!(await storage.statBlob(name, d.digest))) {
          const where = i === 0 ? 'config' : `layers[${i - 1}]`;
          throw new RegistryHttpError(400, 'MANIFEST_BLOB_UNKNOWN', `${where} blob ${d.digest} is not in repository ${name}`, {
            detail: { digest: d.digest.toString() },
          });
        }
      }
      subject = m.subject;
      // image-spec: artifactType, else the config's media type, identifies what a referrer is.
      referrer = {
        mediaType: effective,
        size: bytes.length,
        digest,
        artifactType: m.artifactType || m.config.mediaType,
        ...(m.annotations ? { annotations: m.annotations } : {}),
      };
    }
  } catch (err) {
    if (err instanceof RegistryHttpError) throw err;
    if (err instanceof OciError) throw manifestInvalid(`invalid manifest: ${err.message}`);
    throw err;
  }

  await storage.putManifest(
    name,
    { bytes, mediaType: effective, digest },
    {
      ...('tag' in ref ? { tag: ref.tag } : {}),
      ...(subject ? { subject: subject.digest, referrer } : {}),
    },
  );
  const headers: Record<string, string> = {
    Location: manifestPath(name, digest.toString()),
    'Docker-Content-Digest': digest.toString(),
  };
  // distribution-spec: only a registry with the referrers API may answer OCI-Subject; without it
  // the header's absence tells the client to maintain the referrers tag itself.
  if (subject && ctx.referrers) headers['OCI-Subject'] = subject.digest.toString();
  send(req, ctx.res, 201, headers);
}
