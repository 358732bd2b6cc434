/**
 * @module crane's small write verbs: `tag`, `delete` (ggcr `crane.Tag`, `crane.Delete`).
 */
import { parseReference } from '../name/index.ts';
import * as remote from '../remote/index.ts';
import { remoteOptions, type CraneOptions } from './options.ts';

/** Re-PUTs the manifest `ref` names under `tag` in the same repository (no blob checks, as ggcr). */
export async function tag(ref: string, newTag: string, options: CraneOptions = {}): Promise<void> {
  const o = await remoteOptions(options);
  const r = parseReference(ref);
  const desc = await remote.get(r, o);
  await remote.put(r.context().tag(newTag), { raw: desc.manifest, mediaType: desc.mediaType }, o);
}

/** Deletes the manifest `ref` names (ggcr `crane.Delete`). */
export async function deleteRef(ref: string, options: CraneOptions = {}): Promise<void> {
  await remote.delete(ref, await remoteOptions(options));
}
