/**
 * @module An image in the Docker daemon as an `Image` (ggcr's `daemon.Image`): inspected at once
 * so a missing image fails fast; its `docker save` tarball fetched only when something needs it
 * and read with the tarball reader. The tarball is spooled to a temp file (never held in memory)
 * or, with `buffer: 'none'`, saved again for every read.
 */
import type { Readable } from 'node:stream';
import { DigestMismatchError, InvalidArgumentError } from '../errors/index.ts';
import { lazy } from '../internal/lazy/index.ts';
import type { Reference } from '../name/index.ts';
import { image as tarballImage, imageFromPath } from '../tarball/image.ts';
import { isImage, isIndex, type MediaType } from '../types/index.ts';
import { parseConfigFile, type ConfigFile } from '../v1/config.ts';
import { Hash } from '../v1/hash.ts';
import type { Image, Layer } from '../v1/interfaces.ts';
import type { Manifest } from '../v1/manifest.ts';
import type { Client, ImageInspect } from './client.ts';
import { configFromInspect } from './config-from-inspect.ts';
import { resolveClient, type DaemonOptions } from './options.ts';
import { spoolToFile, type Spool } from '../internal/spool/index.ts';

/** Options of {@link image}. */
export interface ImageOptions extends DaemonOptions {
  /**
   * Where the saved tarball lives while the image is read. `file` (default): spooled once to a
   * temp file, removed by `close()` or at exit; memory stays flat whatever the image's size.
   * `none`: nothing kept, `docker save` runs again for every read (ggcr's unbuffered opener).
   */
  readonly buffer?: 'file' | 'none';
  /** Folder for the temp file; default the system temp folder. */
  readonly tmpDir?: string;
  /**
   * Where `configFile()` comes from. `inspect` (default, as ggcr): rebuilt from the Engine's
   * inspect and history answers, so no save is needed, but it may differ from the raw config
   * (history authors and times, `container_config`) and `validate.image` then says so.
   * `tarball`: parsed from `rawConfigFile()`, exact, at the cost of the save.
   */
  readonly configFrom?: 'inspect' | 'tarball';
}

/** An image read from the daemon. Close it (or `await using` it) to remove its temp file. */
export interface DaemonImage extends Image, AsyncDisposable {
  /** Removes the spooled tarball; later reads that need it fail. Safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Returns the daemon's image `ref` (a reference, or any name the Engine takes, such as an image
 * ID). Rejects with NotFoundError when the daemon has no such image. `configName()` and
 * `configFile()` come from the Engine's inspect and history answers; everything else from the
 * image's `docker save` tarball, fetched on first use.
 *
 * @example
 * await using img = await daemon.image('busybox:latest');
 * const layers = await img.layers();
 */
export async function image(ref: Reference | string, options: ImageOptions = {}): Promise<DaemonImage> {
  const client = resolveClient(options);
  const name = typeof ref === 'string' ? ref : ref.name();
  const inspect = await client.imageInspect(name, { signal: options.signal });
  const id = Hash.parse(inspect.Id);
  return new DaemonImageView(client, name, id, inspect, options);
}

class DaemonImageView implements DaemonImage {
  readonly #client: Client;
  readonly #name: string;
  readonly #id: Hash;
  readonly #options: ImageOptions;
  /** Aborts a save in progress when the image is closed. */
  readonly #closer = new AbortController();
  readonly #signal: AbortSignal;
  #closed = false;
  #spool: Promise<Spool> | undefined;
  /** False with the containerd image store, whose image ID is a manifest or index digest. */
  readonly #idIsConfig: boolean;
  readonly #configFile: () => Promise<ConfigFile>;
  readonly #archive: () => Promise<Image>;

  constructor(client: Client, name: string, id: Hash, inspect: ImageInspect, options: ImageOptions) {
    this.#client = client;
    this.#name = name;
    this.#id = id;
    this.#options = options;
    this.#signal = options.signal ? AbortSignal.any([options.signal, this.#closer.signal]) : this.#closer.signal;
    this.#idIsConfig = idIsConfigDigest(inspect);
    this.#configFile =
      options.configFrom === 'tarball'
        ? lazy(async () => parseConfigFile(await this.rawConfigFile()))
        : // History by ID too, so both answers describe the image that was inspected. It needs
          // no tarball, so closing the image does not cancel it.
          lazy(async () => configFromInspect(inspect, await client.imageHistory(id.toString(), { signal: options.signal })));
    this.#archive = lazy(() => this.#openArchive());
  }

  async #openArchive(): Promise<Image> {
    const signal = this.#signal;
    let img: Image;
    if (this.#options.buffer === 'none') {
      const opener = async (o?: { signal?: AbortSignal }): Promise<Readable> =>
        this.#save(o?.signal ? AbortSignal.any([o.signal, signal]) : signal);
      img = await tarballImage(opener, { signal });
    } else {
      this.#spool ??= spoolToFile(() => this.#save(signal), { prefix: 'containerregistry-daemon-', fileName: 'image.tar', tmpDir: this.#options.tmpDir, signal }).catch((err: unknown) => {
        this.#spool = undefined;
        throw err;
      });
      img = await imageFromPath((await this.#spool).path, { signal });
    }
    const saved = await img.configName();
    if (this.#idIsConfig && !saved.equals(this.#id)) {
      throw new DigestMismatchError(
        `docker save of ${this.#name} holds config ${saved}, but the daemon's inspect said ${this.#id} (with the containerd image store and an Engine API before 1.48, the ID is a manifest digest)`,
        this.#id.toString(),
        saved.toString(),
      );
    }
    return img;
  }

  /** Saves by image ID, so the tarball is the inspected image even if the tag moved since. */
  #save(signal: AbortSignal): Promise<Readable> {
    return this.#client.imageSave([this.#id.toString()], { signal });
  }

  async #tarball(): Promise<Image> {
    if (this.#closed) throw new InvalidArgumentError(`daemon image ${this.#name} is closed; open it again with daemon.image()`);
    return this.#archive();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#closer.abort(new InvalidArgumentError(`daemon image ${this.#name} was closed while it was being read`));
    const spool = await this.#spool?.catch(() => undefined);
    this.#spool = undefined;
    await spool?.remove();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async configName(): Promise<Hash> {
    return this.#idIsConfig ? this.#id : (await this.#tarball()).configName();
  }

  configFile(): Promise<ConfigFile> {
    return this.#configFile();
  }

  async rawConfigFile(): Promise<Buffer> {
    return (await this.#tarball()).rawConfigFile();
  }

  async layers(): Promise<readonly Layer[]> {
    return (await this.#tarball()).layers();
  }

  async mediaType(): Promise<MediaType> {
    return (await this.#tarball()).mediaType();
  }

  async size(): Promise<number> {
    return (await this.#tarball()).size();
  }

  async digest(): Promise<Hash> {
    return (await this.#tarball()).digest();
  }

  async manifest(): Promise<Manifest> {
    return (await this.#tarball()).manifest();
  }

  async rawManifest(): Promise<Buffer> {
    return (await this.#tarball()).rawManifest();
  }

  async layerByDigest(h: Hash): Promise<Layer> {
    return (await this.#tarball()).layerByDigest(h);
  }

  async layerByDiffID(h: Hash): Promise<Layer> {
    return (await this.#tarball()).layerByDiffID(h);
  }
}

/**
 * Whether the Engine's image ID is the config digest. It is, except with the containerd image
 * store, where it is the digest of a manifest or index (ggcr #1954); API ≥ 1.48 says which in
 * `Descriptor`. Older APIs on such a daemon are caught when the tarball's config is read.
 */
function idIsConfigDigest(inspect: ImageInspect): boolean {
  const mediaType = inspect.Descriptor?.mediaType;
  return typeof mediaType !== 'string' || !(isIndex(mediaType) || isImage(mediaType));
}
