/**
 * A minimal OCI image-layout tar writer and reader for the demo, built on the package's tar,
 * verify and partial modules. The real `layout` and `tarball` modules arrive with a later issue.
 */
import type { Readable, Transform } from 'node:stream';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as types from '../src/types/index.ts';
import { Hash } from '../src/v1/hash.ts';
import type { Image, ImageIndex } from '../src/v1/interfaces.ts';
import type { Descriptor } from '../src/v1/descriptor.ts';
import { blobDescriptor } from '../src/partial/describe.ts';
import { parseIndexManifest } from '../src/v1/manifest.ts';
import { createTarStream, readTar, type TarHeader } from '../src/internal/tar/index.ts';
import { verifyStream } from '../src/internal/verify/index.ts';
import { readAll, MANIFEST_LIMIT } from '../src/internal/limit/index.ts';
import { compressedToImage } from '../src/partial/image.ts';
import { NotFoundError } from '../src/errors/index.ts';

interface Entry {
  header: TarHeader;
  body?: Readable | Uint8Array;
}

const file = (name: string, size: number): TarHeader => ({ name, type: 'file', mode: 0o644, size });
const blobPath = (h: Hash) => `blobs/${h.algorithm}/${h.hex}`;

/** Streams the index and everything under it as an OCI layout tar, each blob once. */
export function writeLayoutTar(idx: ImageIndex): Readable {
  async function* entries(): AsyncGenerator<Entry> {
    const seen = new Set<string>();
    const blob = async function* (h: Hash, size: number, open: () => Promise<Readable | Uint8Array>): AsyncGenerator<Entry> {
      if (seen.has(h.toString())) return;
      seen.add(h.toString());
      yield { header: file(blobPath(h), size), body: await open() };
    };
    const layout = Buffer.from('{"imageLayoutVersion":"1.0.0"}');
    yield { header: file('oci-layout', layout.length), body: layout };
    const raw = await idx.rawManifest();
    const top = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: types.OCIImageIndex,
        manifests: [{ mediaType: await idx.mediaType(), size: raw.length, digest: (await idx.digest()).toString() }],
      }),
    );
    yield { header: file('index.json', top.length), body: top };
    yield* blob(await idx.digest(), raw.length, async () => raw);
    for (const d of (await idx.indexManifest()).manifests) {
      const img = await idx.image(d.digest);
      const m = await img.rawManifest();
      yield* blob(d.digest, m.length, async () => m);
      const cfg = await img.rawConfigFile();
      yield* blob(await img.configName(), cfg.length, async () => cfg);
      for (const l of await img.layers()) yield* blob(await l.digest(), await l.size(), () => l.compressed());
    }
  }
  return createTarStream(entries());
}

/**
 * Unpacks a layout tar into `dir`: every blob streams through digest and size verification into a
 * temp file that is renamed to its final name only once verified. Hostile paths are refused.
 */
export async function extractLayoutTar(archive: Readable, dir: string): Promise<void> {
  for await (const { header, body } of readTar(archive, { rejectUnsafe: true })) {
    if (header.type !== 'file') {
      body.resume();
      continue;
    }
    const m = /^blobs\/(sha256|sha512)\/([0-9a-f]+)$/.exec(header.name);
    const final = join(dir, header.name);
    await mkdir(dirname(final), { recursive: true });
    const tmp = `${final}.${process.pid}.partial`;
    const check: Transform[] = m ? [verifyStream({ digest: new Hash(m[1]!, m[2]!), size: header.size ?? 0, what: header.name })] : [];
    await pipeline([body, ...check, createWriteStream(tmp)]);
    await rename(tmp, final);
  }
}

/** Reads an unpacked layout's first index back; every blob read is verified as it streams. */
export async function readLayoutDir(dir: string): Promise<ImageIndex> {
  const open = (h: Hash, size: number) =>
    createReadStream(join(dir, blobPath(h)), { highWaterMark: 1 << 20 }).pipe(verifyStream({ digest: h, size, what: blobPath(h) }));
  const doc = async (h: Hash) => {
    const size = (await stat(join(dir, blobPath(h)))).size;
    return readAll(open(h, size), { max: MANIFEST_LIMIT, what: `blob ${h}` });
  };
  const top = parseIndexManifest(await readFile(join(dir, 'index.json')));
  const desc = top.manifests[0];
  if (!desc) throw new NotFoundError(`${join(dir, 'index.json')} names no manifest`);
  const raw = await doc(desc.digest);
  const parsed = parseIndexManifest(raw);

  const imageAt = (d: Descriptor): Image => {
    const img: Image = compressedToImage({
      mediaType: async () => d.mediaType,
      rawManifest: () => doc(d.digest),
      rawConfigFile: async () => doc((await img.manifest()).config.digest),
      layerByDigest: async (h) => {
        const ld = await blobDescriptor(img, h);
        return {
          digest: async () => ld.digest,
          size: async () => ld.size,
          mediaType: async () => ld.mediaType,
          compressed: async () => open(ld.digest, ld.size),
        };
      },
    });
    return img;
  };
  return {
    mediaType: async () => parsed.mediaType ?? types.OCIImageIndex,
    digest: async () => Hash.of(raw),
    size: async () => raw.length,
    rawManifest: async () => raw,
    indexManifest: async () => parsed,
    image: async (h) => {
      const d = parsed.manifests.find((x) => x.digest.equals(h));
      if (!d) throw new NotFoundError(`index has no manifest ${h}`);
      return imageAt(d);
    },
    imageIndex: async (h) => {
      throw new NotFoundError(`no child index ${h} in this demo layout`);
    },
  };
}
