/**
 * @module Writing images as a `docker load` tarball, exactly as ggcr's `tarball.Write` lays it out:
 * per image its config file `sha256:<hex>` and its layers `<hex>.tar.gz|.tar.zst|.tar` (each file
 * once), then `manifest.json`; every member a USTAR regular file, mode 0644, owner 0:0, mtime the
 * Unix epoch. Layers stream from `compressed()` into the archive and are verified on the way.
 */
import type { Readable } from 'node:stream';
import { DigestMismatchError, NotFoundError, SizeMismatchError } from '../errors/index.ts';
import type { Reference, Tag } from '../name/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Image, Layer } from '../v1/interfaces.ts';
import type { ProgressCallback } from '../v1/progress.ts';
import { createTarStream, type TarEntry } from '../internal/tar/index.ts';
import { verifyOnce } from '../internal/verify/index.ts';
import { readableFrom, withSignal } from '../internal/pipe/index.ts';
import { fileHeader, planTarball, type PlannedFile, type TarballImages, type TarballPlan } from './write-plan.ts';
import { WriteProgress } from './write-progress.ts';

/** Options of every tarball writer. */
export interface TarballWriteOptions {
  /** Stops writing; the stream is destroyed with the abort reason. */
  signal?: AbortSignal;
  /**
   * Called with `{ total, complete: 0 }` once the size is known, after every chunk handed to the
   * reader, and finally with `complete === total`; on failure, once with `error` set.
   */
  onProgress?: ProgressCallback;
}

/** Chunks the output gathers before pausing its producer: the tar writer's own batch size. */
const HIGH_WATER_MARK = 64 * 1024;

/**
 * A tarball of one image under `ref` (ggcr's `tarball.Write`), as a stream to pipe anywhere.
 * A tag becomes the image's `RepoTags`; a digest reference leaves them empty.
 *
 * @example
 * await pipeline(tarball.write(Tag.parse('app:v1'), img), createWriteStream('app.tar'));
 */
export function write(ref: Reference, img: Image, options: TarballWriteOptions = {}): Readable {
  return multiRefWrite([[ref, img]], options);
}

/**
 * A tarball of several tagged images (ggcr's `tarball.MultiWrite`); see {@link multiRefWrite}.
 *
 * @example
 * const out = tarball.multiWrite([[Tag.parse('a:1'), a], [Tag.parse('b:1'), b]]);
 */
export function multiWrite(images: Iterable<readonly [Tag, Image]>, options: TarballWriteOptions = {}): Readable {
  return multiRefWrite(images, options);
}

/**
 * A tarball of several images (ggcr's `tarball.MultiRefWrite`). An image given under several
 * tags is written once with all of them; a layer shared by images is written once. Nothing is
 * read until the stream is; then manifests are read to size the archive, and each layer's
 * compressed stream is copied in, checked against its manifest digest and size (a mismatch fails
 * the stream, so whatever consumes it must not treat a partial archive as done — `writeToFile`
 * does this for files). `images` is read once, at the call.
 *
 * @example
 * await pipeline(tarball.multiRefWrite([[ref1, img1], [ref2, img2]], { onProgress }), socket);
 */
export function multiRefWrite(images: TarballImages, options: TarballWriteOptions = {}): Readable {
  const list = [...images];
  const { signal } = options;
  const progress = new WriteProgress(options.onProgress);
  let finished = false;
  // Destroying the output (or an abort of `signal`, which destroys it) stops the planning, which
  // may be waiting on a layer read that takes no signal (see planTarball).
  const stop = new AbortController();
  async function* produce(): AsyncGenerator<Buffer> {
    let plan: TarballPlan;
    try {
      plan = await planTarball(list, { signal: stop.signal });
    } catch (err) {
      // The output is being destroyed and says why itself; a plain destroy() is no failure.
      if (stop.signal.aborted) return;
      throw err;
    }
    progress.start(plan.size);
    for await (const chunk of createTarStream(entries(plan, signal), signal ? { signal } : {})) {
      progress.add((chunk as Buffer).length);
      yield chunk as Buffer;
    }
    // The plan and the tar writer disagreeing would make every progress bar lie; catch it here.
    if (progress.complete !== plan.size) {
      throw new SizeMismatchError(
        `tarball came to ${progress.complete} bytes but was planned as ${plan.size}`,
        plan.size,
        progress.complete,
      );
    }
    finished = true;
    progress.end();
  }
  const out = withSignal(readableFrom(produce(), () => stop.abort(), { highWaterMark: HIGH_WATER_MARK }), signal);
  out.once('close', () => {
    if (finished) return;
    progress.fail(out.errored ?? (signal?.aborted ? toError(signal.reason) : new Error('tarball stream was closed before it was complete')));
  });
  return out;
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/**
 * The archive members in order, each body opened only when the tar writer reaches it, so at most
 * one layer is open at a time.
 */
async function* entries(plan: TarballPlan, signal: AbortSignal | undefined): AsyncGenerator<TarEntry> {
  const layersOf = new Map<Image, Promise<readonly Layer[]>>();
  let open: Readable | undefined;
  try {
    for (const file of plan.files) {
      if (file.kind === 'config') {
        yield { header: fileHeader(file.name, file.size), body: await configBytes(file) };
        continue;
      }
      let layers = layersOf.get(file.image);
      if (!layers) layersOf.set(file.image, (layers = file.image.layers()));
      const layer = (await layers)[file.index];
      if (!layer) throw new NotFoundError(`layer ${file.index} (${file.digest}) of the manifest is missing from the image's layers`);
      const what = `layer ${file.digest} (${file.name})`;
      // The verifier sits between the layer and the archive: a layer whose bytes are not what the
      // manifest says fails the stream at its end instead of producing a tarball that lies.
      open = verifyOnce(await layer.compressed(signal ? { signal } : {}), { digest: file.digest, size: file.size, what });
      yield { header: fileHeader(file.name, file.size), body: open };
      open = undefined;
    }
    yield { header: fileHeader('manifest.json', plan.manifestJSON.length), body: plan.manifestJSON };
  } finally {
    // Stopped between opening a layer and the tar writer taking it: close the file or socket.
    if (open && !open.readableEnded) open.destroy();
  }
}

/** The raw config, checked against the manifest, whose digest names it and whose size was planned. */
async function configBytes(file: Extract<PlannedFile, { kind: 'config' }>): Promise<Buffer> {
  const raw = await file.image.rawConfigFile();
  if (raw.length !== file.size) {
    throw new SizeMismatchError(`config ${file.digest}: manifest says ${file.size} bytes, the image has ${raw.length}`, file.size, raw.length);
  }
  const actual = Hash.of(raw, file.digest.algorithm);
  if (!actual.equals(file.digest)) {
    throw new DigestMismatchError(`config: manifest names ${file.digest}, the image's config is ${actual}`, file.digest.toString(), actual.toString());
  }
  return raw;
}
