/**
 * @module Rewriting a layout's index.json as ggcr does after an append, replace or remove: Go's
 * `json.MarshalIndent(indexManifest, "", "   ")` (fields ggcr does not know are dropped, as Go
 * drops them), written atomically so a reader never sees half a file.
 */
import { join } from 'node:path';
import type { IndexManifest } from '../v1/manifest.ts';
import { marshalIndexManifest } from '../internal/gojson/index.ts';
import type { FileSource } from '../internal/archive/file-source.ts';
import { NotFoundError } from '../errors/index.ts';
import { indentGoJSON } from './go-indent.ts';
import { writeFileAtomic } from '../internal/atomic-file/index.ts';
import { rootIndex } from './source-index.ts';

/**
 * What ggcr writes to `oci-layout`, byte for byte (Go source: a raw string with four-space
 * indentation and no final newline).
 */
export const LAYOUT_FILE = Buffer.from('{\n    "imageLayoutVersion": "1.0.0"\n}');

/** index.json's bytes for `m`, as ggcr's `json.MarshalIndent(m, "", "   ")`. */
export function encodeIndexJson(m: IndexManifest): Buffer {
  return indentGoJSON(marshalIndexManifest(m));
}

/**
 * Reads index.json of the layout `root`, lets `change` make a new manifest from it and writes the
 * result atomically. The caller holds the index.json lock.
 */
export async function updateIndexJson(
  root: string,
  source: FileSource,
  change: (m: IndexManifest) => IndexManifest,
  signal?: AbortSignal,
): Promise<void> {
  let current: IndexManifest;
  try {
    current = await (await rootIndex({ source, signal })).indexManifest();
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    throw new NotFoundError(`${root} is not an OCI image layout: it has no index.json (write one first, e.g. layout.write(dir, empty.index()))`, { cause: err });
  }
  await writeFileAtomic(join(root, 'index.json'), encodeIndexJson(change(current)), { signal });
}
