/**
 * @module Progress of a transfer: bytes done out of bytes expected, as ggcr's `v1.Update`.
 */

/** One progress report. `complete === total` marks the end; `error` is set when it failed. */
export interface Update {
  readonly total: number;
  readonly complete: number;
  readonly error?: Error;
}

/** Receives progress updates; must be cheap and must not throw. */
export type ProgressCallback = (update: Update) => void;

/** Progress of one blob of a transfer (per-blob bars). */
export interface BlobUpdate {
  readonly digest: string;
  readonly total: number;
  readonly complete: number;
}

/** Receives per-blob progress; must be cheap and must not throw. */
export type BlobProgressCallback = (update: BlobUpdate) => void;
