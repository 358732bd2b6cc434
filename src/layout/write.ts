/**
 * @module `write(dir, idx)`: a whole OCI image layout from an index (ggcr's `layout.Write`):
 * `oci-layout`, every blob under the index, then index.json holding the index's own bytes.
 */
import { join } from 'node:path';
import type { ImageIndex } from '../v1/interfaces.ts';
import { writeFileAtomic } from '../internal/atomic-file/index.ts';
import { LAYOUT_FILE } from './index-json.ts';
import { LayoutPath } from './layout-path.ts';
import { resolveJobs, type LayoutWriteOptions } from './options.ts';
import { withBlobWrites, withIndexJson } from './path-lock.ts';
import { treeWrite, writeIndexChildren } from './tree-writer.ts';

/**
 * Writes `idx` as the layout at `dir` (created if needed) and returns its `LayoutPath`. index.json
 * is the index's raw manifest, so its digest is kept; it is written last, and atomically, so an
 * interrupted write never leaves an index.json naming missing blobs.
 *
 * @example
 * const lp = await layout.write('/tmp/oci', empty.index()); // an empty layout to append to
 */
export async function write(dir: string, idx: ImageIndex, options: LayoutWriteOptions = {}): Promise<LayoutPath> {
  const { signal } = options;
  const w = treeWrite(dir, { jobs: resolveJobs(options.jobs), signal, onProgress: options.onProgress });
  await withBlobWrites(dir, async () => {
    await writeFileAtomic(join(dir, 'oci-layout'), LAYOUT_FILE, { signal });
    await writeIndexChildren(w, idx);
    const raw = await idx.rawManifest();
    await withIndexJson(dir, () => writeFileAtomic(join(dir, 'index.json'), raw, { signal }));
  });
  return new LayoutPath(dir);
}
