/**
 * @module The few Docker Engine API calls images need, as an interface (ggcr's `daemon.Client`):
 * the built-in client speaks to `DOCKER_HOST`, and callers may pass their own (a wrapper that
 * counts or logs, a fake in tests) through the `client` option.
 */
import type { Readable } from 'node:stream';
import type { Config } from '../v1/config.ts';

/** Options of every client call. */
export interface RequestOptions {
  readonly signal?: AbortSignal | undefined;
}

/** What `GET /_ping` tells. */
export interface PingResult {
  /** The newest API version the daemon speaks (`API-Version` header); '' when it sent none. */
  readonly apiVersion: string;
  /** `OSType` header: `linux` or `windows`; '' when absent. */
  readonly osType: string;
  /** The API version this client uses with that daemon (the lower of its own and the daemon's). */
  readonly negotiatedVersion: string;
}

/** `GET /images/{name}/json`, the fields images are built from; the rest is kept as sent. */
export interface ImageInspect {
  /** The image ID: the config digest, `sha256:<hex>`. */
  readonly Id: string;
  readonly RepoTags?: readonly string[] | null;
  readonly RepoDigests?: readonly string[] | null;
  /** RFC 3339 creation time. */
  readonly Created?: string;
  readonly Author?: string;
  readonly DockerVersion?: string;
  readonly Architecture?: string;
  readonly Variant?: string;
  readonly Os?: string;
  readonly OsVersion?: string;
  readonly Config?: Config | null;
  readonly RootFS?: { readonly Type?: string; readonly Layers?: readonly string[] | null } | null;
  readonly Size?: number;
  /**
   * What the image ID names (API ≥ 1.48, containerd image store only): a manifest or an index,
   * whose digest is then the ID instead of the config digest.
   */
  readonly Descriptor?: { readonly mediaType?: string; readonly digest?: string; readonly size?: number } | null;
  readonly [key: string]: unknown;
}

/** One entry of `GET /images/{name}/history`; the Engine lists the newest layer first. */
export interface HistoryItem {
  /** Layer image ID, or `<missing>` for layers built elsewhere. */
  readonly Id: string;
  /** Unix seconds. */
  readonly Created: number;
  readonly CreatedBy: string;
  readonly Tags?: readonly string[] | null;
  /** Bytes the layer adds; 0 for steps that change only the config. */
  readonly Size: number;
  readonly Comment: string;
}

/**
 * The Docker Engine calls used by `daemon.image`, `daemon.write` and `daemon.tag`. Names and
 * references are passed as the Engine takes them (`ubuntu:24.04`, `sha256:<id>`). Errors: a
 * missing image is NotFoundError; other refusals are DaemonError with the daemon's message.
 */
export interface Client {
  /** `GET /_ping`: the daemon's API version. */
  ping(options?: RequestOptions): Promise<PingResult>;
  /** `GET /images/{ref}/json`. */
  imageInspect(ref: string, options?: RequestOptions): Promise<ImageInspect>;
  /** `GET /images/{ref}/history`, newest first as the Engine sends it. */
  imageHistory(ref: string, options?: RequestOptions): Promise<readonly HistoryItem[]>;
  /** `GET /images/get`: the `docker save` tarball of `refs`, streamed as the daemon writes it. */
  imageSave(refs: readonly string[], options?: RequestOptions): Promise<Readable>;
  /**
   * `POST /images/load`: streams `tarball` to the daemon and resolves to the daemon's answer
   * text once it has loaded it; an `error` line in the answer rejects with DaemonError, a
   * failure of `tarball` itself rejects with that failure.
   */
  imageLoad(tarball: Readable, options?: RequestOptions): Promise<string>;
  /** `POST /images/{source}/tag?repo=&tag=`. */
  imageTag(source: string, repository: string, tag: string, options?: RequestOptions): Promise<void>;
}
