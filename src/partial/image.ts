/**
 * @module Full images from minimal cores: `compressedToImage` (the manifest exists; layers are
 * found by digest) and `uncompressedToImage` (only the config exists; the manifest is built from
 * the layers, as ggcr does for tarballs and the daemon).
 */
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { ConfigFile } from '../v1/config.ts';
import { parseConfigFile } from '../v1/config.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Image, Layer, StreamOptions } from '../v1/interfaces.ts';
import { parseManifest, type Manifest } from '../v1/manifest.ts';
import { NotFoundError } from '../errors/index.ts';
import { lazy } from '../internal/lazy/index.ts';
import { mapLimit, DEFAULT_JOBS } from '../internal/limiter/index.ts';
import { marshalManifest } from '../internal/gojson/index.ts';
import type { CompressedImageCore, CompressedLayer, UncompressedImageCore } from './cores.ts';
import { compressedToLayer, uncompressedToLayer, type CompressOptions } from './layer.ts';
import { configLayer } from './config-layer.ts';
import { descriptor, diffIDsLineUp } from './describe.ts';

/** Returns a full `Image` over a core whose manifest exists. Constructing does no I/O. */
export function compressedToImage(core: CompressedImageCore): Image {
  return new CompressedImageView(core);
}

class CompressedImageView implements Image {
  readonly #core: CompressedImageCore;
  readonly rawManifest: () => Promise<Buffer>;
  readonly rawConfigFile: () => Promise<Buffer>;
  readonly manifest: () => Promise<Manifest>;
  readonly configFile: () => Promise<ConfigFile>;
  readonly digest: () => Promise<Hash>;
  readonly layers: () => Promise<readonly Layer[]>;

  constructor(core: CompressedImageCore) {
    this.#core = core;
    this.rawManifest = lazy(() => core.rawManifest());
    this.rawConfigFile = lazy(() => core.rawConfigFile());
    this.manifest = lazy(async () => (core.manifest ? core.manifest() : parseManifest(await this.rawManifest())));
    this.configFile = lazy(async () => parseConfigFile(await this.rawConfigFile()));
    this.digest = lazy(async () => Hash.of(await this.rawManifest()));
    this.layers = lazy(async () => {
      const m = await this.manifest();
      return Promise.all(m.layers.map((d, i) => this.#layerFor(d, i)));
    });
  }

  mediaType(): Promise<string> {
    return this.#core.mediaType();
  }
  async size(): Promise<number> {
    return (await this.rawManifest()).length;
  }
  async configName(): Promise<Hash> {
    return (await this.manifest()).config.digest;
  }

  /** Wraps the core's layer with what the image knows: its descriptor and, from the config, its diffID. */
  async #layerFor(desc: Descriptor, index: number): Promise<Layer> {
    const core = await this.#core.layerByDigest(desc.digest);
    const image = this;
    const withImageFacts: CompressedLayer = {
      digest: () => core.digest(),
      size: () => core.size(),
      mediaType: () => core.mediaType(),
      compressed: (o?: StreamOptions) => core.compressed(o),
      descriptor: core.descriptor ? () => core.descriptor!() : async () => desc,
      mountFrom: core.mountFrom,
      diffID: core.diffID
        ? () => core.diffID!()
        : async () => {
            const cf = await image.configFile();
            const m = await image.manifest();
            // A malformed image whose diff_ids do not line up: hash the tar so the layer still works.
            if (diffIDsLineUp(m, cf)) return cf.rootfs.diff_ids[index]!;
            return (await Hash.fromStream(await compressedToLayer(core).uncompressed())).hash;
          },
    };
    if (core.uncompressed) withImageFacts.uncompressed = (o?: StreamOptions) => core.uncompressed!(o);
    return compressedToLayer(withImageFacts);
  }

  async layerByDigest(h: Hash): Promise<Layer> {
    if (h.equals(await this.configName())) return configLayer(this);
    const m = await this.manifest();
    const i = m.layers.findIndex((d) => d.digest.equals(h));
    if (i >= 0) return (await this.layers())[i]!;
    return compressedToLayer(await this.#core.layerByDigest(h));
  }

  async layerByDiffID(h: Hash): Promise<Layer> {
    const cf = await this.configFile();
    const i = cf.rootfs.diff_ids.findIndex((d) => d.equals(h));
    const layers = await this.layers();
    if (i >= 0 && diffIDsLineUp(await this.manifest(), cf)) return layers[i]!;
    for (const l of layers) if ((await l.diffID()).equals(h)) return l;
    throw new NotFoundError(`image has no layer with diffID ${h}`);
  }

  descriptor(): Promise<Descriptor> {
    if (this.#core.descriptor) return this.#core.descriptor();
    return imageDescriptor(this);
  }
}

/** `{mediaType, size, digest}` of an image, plus its artifactType when the manifest has one. */
async function imageDescriptor(img: Image): Promise<Descriptor> {
  const [mediaType, size, digest, m] = await Promise.all([img.mediaType(), img.size(), img.digest(), img.manifest()]);
  return m.artifactType ? { mediaType, size, digest, artifactType: m.artifactType } : { mediaType, size, digest };
}

/** Options for `uncompressedToImage`. */
export interface UncompressedImageOptions extends CompressOptions {
  /** Concurrent layer compressions while building the manifest; default 4 (ggcr's `jobs`). */
  readonly jobs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Returns a full `Image` over a core that knows only its config and layers by diffID. The
 * manifest is Docker schema 2 unless the core's media type says OCI, written with Go's JSON rules
 * so its digest matches ggcr's for the same layers.
 */
export function uncompressedToImage(core: UncompressedImageCore, options: UncompressedImageOptions = {}): Image {
  return new UncompressedImageView(core, options);
}

class UncompressedImageView implements Image {
  readonly #core: UncompressedImageCore;
  readonly #options: UncompressedImageOptions;
  readonly rawConfigFile: () => Promise<Buffer>;
  readonly configFile: () => Promise<ConfigFile>;
  readonly layers: () => Promise<readonly Layer[]>;
  readonly rawManifest: () => Promise<Buffer>;
  readonly manifest: () => Promise<Manifest>;
  readonly digest: () => Promise<Hash>;

  constructor(core: UncompressedImageCore, options: UncompressedImageOptions) {
    this.#core = core;
    this.#options = options;
    this.rawConfigFile = lazy(() => core.rawConfigFile());
    this.configFile = lazy(async () => parseConfigFile(await this.rawConfigFile()));
    this.layers = lazy(async () => {
      const cf = await this.configFile();
      return Promise.all(
        cf.rootfs.diff_ids.map(async (h) => uncompressedToLayer(await core.layerByDiffID(h), options)),
      );
    });
    this.rawManifest = lazy(async () => {
      const [raw, mediaType, layers] = await Promise.all([this.rawConfigFile(), this.mediaType(), this.layers()]);
      const oci = mediaType === types.OCIManifestSchema1;
      // A layer that knows its descriptor (urls, annotations of a foreign layer) gives it whole, as in ggcr.
      const layerDescs = await mapLimit(layers, options.jobs ?? DEFAULT_JOBS, (l) => descriptor(l), options.signal ? { signal: options.signal } : {});
      const m: Manifest = {
        schemaVersion: 2,
        mediaType,
        config: { mediaType: oci ? types.OCIConfigJSON : types.DockerConfigJSON, size: raw.length, digest: Hash.of(raw) },
        layers: layerDescs,
      };
      return marshalManifest(m);
    });
    this.manifest = lazy(async () => parseManifest(await this.rawManifest()));
    this.digest = lazy(async () => Hash.of(await this.rawManifest()));
  }

  mediaType(): Promise<string> {
    return this.#core.mediaType();
  }
  async size(): Promise<number> {
    return (await this.rawManifest()).length;
  }
  async configName(): Promise<Hash> {
    return Hash.of(await this.rawConfigFile());
  }
  async layerByDiffID(h: Hash): Promise<Layer> {
    // The same view as layers() gives: same options, so the same digest, and compressed once.
    const cf = await this.configFile();
    const i = cf.rootfs.diff_ids.findIndex((d) => d.equals(h));
    if (i >= 0) return (await this.layers())[i]!;
    return uncompressedToLayer(await this.#core.layerByDiffID(h), this.#options);
  }
  async layerByDigest(h: Hash): Promise<Layer> {
    if (h.equals(await this.configName())) return configLayer(this);
    for (const l of await this.layers()) if ((await l.digest()).equals(h)) return l;
    throw new NotFoundError(`image has no layer with digest ${h}`);
  }
  descriptor(): Promise<Descriptor> {
    if (this.#core.descriptor) return this.#core.descriptor();
    return imageDescriptor(this);
  }
}

