/**
 * A minimal registry client for the demo: pushes an index (blobs streamed, manifests PUT) and
 * reads it back through `partial`, every blob verified as it streams. The real client — auth,
 * retries, mounts, chunked resumable uploads — is `remote`, a later issue.
 */
import { Readable } from 'node:stream';
import * as types from '../src/types/index.ts';
import type { Hash } from '../src/v1/hash.ts';
import { Hash as HashClass } from '../src/v1/hash.ts';
import type { Image, ImageIndex } from '../src/v1/interfaces.ts';
import { parseIndexManifest } from '../src/v1/manifest.ts';
import type { Descriptor } from '../src/v1/descriptor.ts';
import { compressedToImage } from '../src/partial/image.ts';
import { blobDescriptor } from '../src/partial/describe.ts';
import { verifyStream } from '../src/internal/verify/index.ts';
import { readAll, MANIFEST_LIMIT } from '../src/internal/limit/index.ts';

async function check(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

async function pushBlob(base: string, repo: string, digest: Hash, size: number, open: () => Promise<Readable>): Promise<'pushed' | 'existing'> {
  const head = await fetch(`${base}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  if (head.ok) return 'existing';
  const body = Readable.toWeb(await open()) as ReadableStream;
  await check(
    await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${digest}`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
      duplex: 'half',
    } as RequestInit),
    `upload ${digest}`,
  );
  return 'pushed';
}

async function putManifest(base: string, repo: string, ref: string, raw: Buffer, mediaType: string): Promise<void> {
  await check(await fetch(`${base}/v2/${repo}/manifests/${ref}`, { method: 'PUT', body: raw, headers: { 'Content-Type': mediaType } }), `manifest ${ref}`);
}

/** Pushes every child image (blobs, then manifest by digest) and the index under `tag`. */
export async function pushIndex(base: string, repo: string, tag: string, idx: ImageIndex, log: (s: string) => void): Promise<void> {
  for (const d of (await idx.indexManifest()).manifests) {
    const img = await idx.image(d.digest);
    const cfg = await img.rawConfigFile();
    await pushBlob(base, repo, await img.configName(), cfg.length, async () => Readable.from([cfg]));
    for (const l of await img.layers()) {
      const r = await pushBlob(base, repo, await l.digest(), await l.size(), () => l.compressed());
      log(`  ${r} blob ${await l.digest()}`);
    }
    await putManifest(base, repo, d.digest.toString(), await img.rawManifest(), await img.mediaType());
  }
  await putManifest(base, repo, tag, await idx.rawManifest(), await idx.mediaType());
}

/** Reads an index back from the registry as lazy views; blobs are fetched and verified when read. */
export async function pullIndex(base: string, repo: string, ref: string): Promise<ImageIndex> {
  const getManifest = async (r: string, accept: string): Promise<{ raw: Buffer; mediaType: string }> => {
    const res = await check(await fetch(`${base}/v2/${repo}/manifests/${r}`, { headers: { Accept: accept } }), `manifest ${r}`);
    const raw = await readAll(Readable.fromWeb(res.body as never), { max: MANIFEST_LIMIT, what: `manifest ${r}` });
    return { raw, mediaType: res.headers.get('content-type') ?? '' };
  };
  const openBlob = async (d: Descriptor): Promise<Readable> => {
    const res = await check(await fetch(`${base}/v2/${repo}/blobs/${d.digest}`), `blob ${d.digest}`);
    return Readable.fromWeb(res.body as never).pipe(verifyStream({ digest: d.digest, size: d.size, what: `blob ${d.digest}` }));
  };
  const top = await getManifest(ref, [types.OCIImageIndex, types.DockerManifestList].join(','));
  const parsed = parseIndexManifest(top.raw);
  const imageAt = (d: Descriptor): Image => {
    const img: Image = compressedToImage({
      mediaType: async () => d.mediaType,
      rawManifest: async () => {
        const m = await getManifest(d.digest.toString(), d.mediaType);
        if (!HashClass.of(m.raw).equals(d.digest)) throw new Error(`manifest ${d.digest}: bytes do not match the digest`);
        return m.raw;
      },
      rawConfigFile: async () => readAll(await openBlob((await img.manifest()).config), { max: MANIFEST_LIMIT, what: 'config' }),
      layerByDigest: async (h) => {
        const ld = await blobDescriptor(img, h);
        return { digest: async () => ld.digest, size: async () => ld.size, mediaType: async () => ld.mediaType, compressed: () => openBlob(ld) };
      },
    });
    return img;
  };
  return {
    mediaType: async () => top.mediaType,
    digest: async () => HashClass.of(top.raw),
    size: async () => top.raw.length,
    rawManifest: async () => top.raw,
    indexManifest: async () => parsed,
    image: async (h) => {
      const d = parsed.manifests.find((x) => x.digest.equals(h));
      if (!d) throw new Error(`index has no manifest ${h}`);
      return imageAt(d);
    },
    imageIndex: async (h) => {
      throw new Error(`no child index ${h} in the demo`);
    },
  };
}
