/**
 * @module Options of the layout writers and how the descriptor options (ggcr's `WithAnnotations`,
 * `WithURLs`, `WithPlatform`) change the descriptor that is added to index.json.
 */
import type { Descriptor } from '../v1/descriptor.ts';
import type { Platform } from '../v1/platform.ts';
import type { ProgressCallback } from '../v1/progress.ts';
import { InvalidArgumentError } from '../errors/index.ts';
import { DEFAULT_JOBS } from '../internal/limiter/index.ts';

/** Options of every call that reads a layout. */
export interface LayoutReadOptions {
  readonly signal?: AbortSignal;
}

/** Options of every call that writes blobs into a layout. */
export interface LayoutWriteOptions {
  readonly signal?: AbortSignal;
  /** Layers of one image written at once; default 4. */
  readonly jobs?: number;
  /** Bytes written (present blobs count as done at once); totals grow as blobs are found. */
  readonly onProgress?: ProgressCallback;
}

/** Options of `appendImage`, `appendIndex`, `replaceImage`, `replaceIndex`. */
export interface AppendOptions extends LayoutWriteOptions {
  /** Merged into the descriptor's annotations (e.g. `org.opencontainers.image.ref.name`). */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Appended to the descriptor's urls. */
  readonly urls?: readonly string[];
  /** Replaces the descriptor's platform. */
  readonly platform?: Platform;
}

/** Options of `garbageCollect`. */
export interface GarbageCollectOptions {
  readonly signal?: AbortSignal;
  /** Only list the unreferenced blobs; delete nothing. */
  readonly dryRun?: boolean;
}

/**
 * ggcr writes every layer of an image at once; we bound it at DEFAULT_JOBS (4, ggcr's `jobs`
 * elsewhere) so that an image of hundreds of layers does not open hundreds of files and streams.
 */
export function resolveJobs(jobs: number | undefined): number {
  const n = jobs ?? DEFAULT_JOBS;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`jobs must be a positive integer, got ${n}`);
  return n;
}

/** The descriptor with the append options applied, as ggcr's layout options apply them. */
export function applyDescriptorOptions(desc: Descriptor, options: AppendOptions): Descriptor {
  let out: Descriptor = desc;
  if (options.annotations) out = { ...out, annotations: { ...(desc.annotations ?? {}), ...options.annotations } };
  if (options.urls) out = { ...out, urls: [...(desc.urls ?? []), ...options.urls] };
  if (options.platform) out = { ...out, platform: options.platform };
  return out;
}
