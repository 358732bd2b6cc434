/**
 * @module Reusable sessions (ggcr's `remote.Puller` / `remote.Pusher`): one object that makes
 * many calls, pinging each registry once and keeping one transport — so one token — per
 * repository, and, for pushes, remembering which blobs it already sent.
 */
import { parseReference, Repository, type Reference } from '../name/index.ts';
import type { Descriptor } from '../v1/descriptor.ts';
import type { Image, ImageIndex, Layer } from '../v1/interfaces.ts';
import type { Transport } from './transport/index.ts';
import { progressFor, sharedProgress, transportCache, type CachingOptions } from './fetcher.ts';
import type { RemoteOptions } from './options.ts';
import * as read from './read.ts';
import * as list from './list.ts';
import * as w from './write.ts';
import type { UploadOutcome } from './upload.ts';

function toRef(ref: Reference | string): Reference {
  return typeof ref === 'string' ? parseReference(ref) : ref;
}

function toRepo(repo: Repository | string): Repository {
  return typeof repo === 'string' ? Repository.parse(repo) : repo;
}

/** Options of one call made through a session: the session's, with a call's own signal. */
type CallOptions = Pick<RemoteOptions, 'signal' | 'platform'>;

abstract class Session {
  readonly #options: CachingOptions;

  constructor(options: RemoteOptions = {}) {
    this.#options = {
      ...options,
      [transportCache]: new Map<string, Promise<Transport>>(),
      // Every call adds to one overall figure: a pull of several images does not start at zero again.
      [sharedProgress]: progressFor(options),
    };
  }

  protected with(call: CallOptions = {}): CachingOptions {
    return { ...this.#options, ...call };
  }
}

/**
 * Reads through shared transports (ggcr `remote.NewPuller`).
 *
 * @example
 * const puller = new remote.Puller({ keychain });
 * for (const t of await puller.list('ghcr.io/org/app')) console.log(await puller.head(`ghcr.io/org/app:${t}`));
 */
export class Puller extends Session {
  get(ref: Reference | string, options?: CallOptions): Promise<read.RemoteDescriptor> {
    return read.get(toRef(ref), this.with(options));
  }
  head(ref: Reference | string, options?: CallOptions): Promise<Descriptor> {
    return read.head(toRef(ref), this.with(options));
  }
  image(ref: Reference | string, options?: CallOptions): Promise<Image> {
    return read.image(toRef(ref), this.with(options));
  }
  index(ref: Reference | string, options?: CallOptions): Promise<ImageIndex> {
    return read.index(toRef(ref), this.with(options));
  }
  layer(ref: string, options?: CallOptions): Promise<Layer> {
    return read.layer(ref, this.with(options));
  }
  list(repo: Repository | string, options?: CallOptions): Promise<string[]> {
    return list.list(toRepo(repo), this.with(options));
  }
  referrers(subject: string, options?: CallOptions & { artifactType?: string }): Promise<Descriptor[]> {
    return list.referrers(subject, { ...this.with(options), ...(options?.artifactType ? { artifactType: options.artifactType } : {}) });
  }
}

/**
 * Writes through shared sessions (ggcr `remote.NewPusher`): per repository one transport and one
 * record of blobs already pushed, so pushing several images that share layers sends each once.
 *
 * @example
 * const pusher = new remote.Pusher({ keychain, jobs: 8 });
 * await pusher.push('ghcr.io/org/app:v1', img1);
 * await pusher.push('ghcr.io/org/app:v2', img2); // shared layers are not checked again
 */
export class Pusher extends Session {
  readonly #sessions = new Map<string, Promise<w.Session>>();

  #session(ref: Reference): Promise<w.Session> {
    const key = ref.context().name();
    let s = this.#sessions.get(key);
    if (!s) {
      s = w.session(ref, this.with());
      this.#sessions.set(key, s);
      s.catch(() => this.#sessions.delete(key));
    }
    return s;
  }

  /** Pushes an image or an index (and everything under it) under `ref`. */
  async push(ref: Reference | string, item: Image | ImageIndex): Promise<void> {
    const r = toRef(ref);
    const s = await this.#session(r);
    if ('indexManifest' in item) await w.writeIndexIn(s, item, r.identifier());
    else await w.writeImageIn(s, item, r.identifier());
  }

  /** Pushes one blob into `repo` (ggcr `Pusher.Upload`). */
  async upload(repo: Repository | string, layer: Layer): Promise<UploadOutcome> {
    return w.pushLayer(await this.#session(toRepo(repo).tag('latest')), layer);
  }

  /** PUTs manifest bytes as they are under `ref`. */
  put(ref: Reference | string, manifest: { raw: Buffer; mediaType: string }, options?: CallOptions): Promise<Descriptor> {
    return w.put(toRef(ref), manifest, this.with(options));
  }

  /** Deletes what `ref` names. */
  delete(ref: Reference | string, options?: CallOptions): Promise<void> {
    return w.del(toRef(ref), this.with(options));
  }
}
