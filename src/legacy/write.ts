/**
 * @module Writing the legacy (v1) `docker save` archive (ggcr's `legacy/tarball.Write` and
 * `MultiWrite`): per image its config as `<hex>.json`; per layer a folder `<v1 id>/` holding
 * `layer.tar` (uncompressed), `json` and `VERSION`; then `manifest.json` and `repositories`.
 * Every member is a USTAR regular file, mode 0644, owned by 0:0, dated the Unix epoch.
 */
import type { Readable } from 'node:stream';
import type { Reference } from '../name/index.ts';
import { isDistributable } from '../types/index.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Image, Layer } from '../v1/interfaces.ts';
import { blobDescriptor, blobToDiffID, fsLayers, uncompressedSize } from '../partial/describe.ts';
import { createTarStream, type TarEntry, type TarHeader } from '../internal/tar/index.ts';
import { verifyOnce } from '../internal/verify/index.ts';
import { goStringType, mapOf, marshalWithSchema } from '../internal/gojson/index.ts';
import { marshalLayerConfigFile } from './config.ts';
import { spoolLayerTar } from './spool.ts';
import { tarballManifestType } from '../tarball/manifest.ts';
import { orderImages } from './image-order.ts';
import { addTags, type Repositories } from './repo-tags.ts';
import { v1Layers } from './v1-layers.ts';

/** Options of the legacy writers. */
export interface LegacyWriteOptions {
  /** Stops the write; the stream is destroyed with the abort reason. */
  readonly signal?: AbortSignal;
}


const repositoriesType = mapOf(mapOf(goStringType));

/** The v1 format version each layer folder records. */
const VERSION = Buffer.from('1.0');

/** ggcr's `writeTarEntry`: a regular file with mode 0644 and every other field Go's zero value. */
function fileHeader(name: string, size: number): TarHeader {
  return { name, type: 'file', mode: 0o644, size };
}

function file(name: string, body: Buffer): TarEntry {
  return { header: fileHeader(name, body.length), body };
}

/**
 * Streams a legacy archive holding `img` under `ref` (a tag names it in `RepoTags` and
 * `repositories`; a digest reference names it nowhere).
 *
 * @example
 * await pipeline(legacy.write(Tag.parse('app:v1'), img), createWriteStream('app.tar'));
 */
export function write(ref: Reference, img: Image, options: LegacyWriteOptions = {}): Readable {
  return multiWrite([[ref, img]], options);
}

/**
 * Streams a legacy archive holding several images. An image named by several references is
 * written once with all its tags; layer folders shared between images are written once. Each
 * layer is read as an uncompressed tar, checked against its diffID, and never held in memory;
 * the tar header needs the layer's size first, so a layer that cannot tell it is read once into a
 * private temp file (removed as soon as it is written out) instead of twice, as ggcr reads it.
 * Errors surface on the returned stream.
 *
 * @example
 * await pipeline(legacy.multiWrite([[Tag.parse('a:1'), a], [Tag.parse('b:1'), b]]), out);
 */
export function multiWrite(images: Iterable<readonly [Reference, Image]>, options: LegacyWriteOptions = {}): Readable {
  const { signal } = options;
  return createTarStream(entries(images, signal), signal ? { signal } : {});
}

/** Whether the layer knows its uncompressed size without reading itself. */
function hasUncompressedSize(l: Layer): boolean {
  return typeof (l as { uncompressedSize?: unknown }).uncompressedSize === 'function';
}

async function* entries(images: Iterable<readonly [Reference, Image]>, signal: AbortSignal | undefined): AsyncGenerator<TarEntry> {
  const stream = signal ? { signal } : {};
  const written = new Set<string>();
  const manifest: object[] = [];
  const repos: Repositories = new Map();

  for (const { image, tags } of await orderImages(images)) {
    const [configName, rawConfig, cf, layers] = await Promise.all([
      image.configName(),
      image.rawConfigFile(),
      image.configFile(),
      image.layers(),
    ]);
    const what = `image ${configName}`;
    const configFile = `${configName.hex}.json`;
    if (!written.has(configFile)) {
      written.add(configFile);
      yield file(configFile, rawConfig);
    }
    // From the manifest: asking each layer would compress every file or stream layer at once.
    const digests = await fsLayers(image);
    const chain = v1Layers(digests, cf, rawConfig, what);
    const layerSources: Record<string, Descriptor> = {};
    for (const [i, layer] of layers.entries()) {
      signal?.throwIfAborted();
      const { id, config } = chain[i]!;
      // Foreign layers are written too, and also recorded, keyed by diffID (ggcr's updateLayerSources).
      const desc = await blobDescriptor(image, digests[i]!);
      if (!isDistributable(desc.mediaType)) layerSources[(await blobToDiffID(image, digests[i]!)).toString()] = desc;
      if (written.has(id)) continue;
      written.add(id);
      const diffID = await layer.diffID();
      const layerWhat = `${what} layer ${diffID}`;
      if (hasUncompressedSize(layer)) {
        const size = await uncompressedSize(layer, stream);
        // A cached tar already verifies itself against the diffID: hashing it again here is waste.
        const tar = verifyOnce(await layer.uncompressed(stream), { digest: diffID, size, what: layerWhat });
        yield { header: fileHeader(`${id}/layer.tar`, size), body: tar };
      } else {
        // The size must precede the bytes: read the layer once, into a temp file (not twice, as ggcr).
        const spooled = await spoolLayerTar(layer, diffID, layerWhat, signal);
        try {
          yield { header: fileHeader(`${id}/layer.tar`, spooled.size), body: spooled.body };
        } finally {
          await spooled.cleanup();
        }
      }
      yield file(`${id}/json`, marshalLayerConfigFile(config));
      yield file(`${id}/VERSION`, VERSION);
    }
    manifest.push({ Config: configFile, RepoTags: tags, Layers: chain.map((l) => `${l.id}/layer.tar`), LayerSources: layerSources });
    addTags(repos, tags ?? [], chain[chain.length - 1]!.id);
  }

  // No images is Go's nil manifest: `null`.
  yield file('manifest.json', marshalWithSchema(manifest.length ? manifest : undefined, tarballManifestType));
  yield file('repositories', marshalWithSchema(repos, repositoriesType));
}
