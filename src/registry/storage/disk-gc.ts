/**
 * @module Garbage collection for the disk backend: gathers every repository's manifests (parsed
 * from their stored bytes) and tags, lets `planGc` decide, then deletes manifests, the links to
 * swept blobs, and the blobs, in that order so a crash part-way never leaves a link to nothing.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BadDocumentError } from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';
import { readIfExists, removeIfExists, exists, listDirectory, type Durability } from './disk-files.ts';
import type { DiskLayout } from './disk-layout.ts';
import { readRevision } from './disk-revision.ts';
import type { DiskUploads } from './disk-uploads.ts';
import { digestsIn, findRepositories, listBlobs } from './disk-walk.ts';
import { compare, planGc, uploadCutoff, type GcRepository } from './gc-plan.ts';
import { manifestReferences, type ManifestReferences } from './manifest-references.ts';
import { isTag } from './names.ts';
import type { GcOptions, GcReport } from './types.ts';

/** What the collector needs from the storage it runs in. */
export interface DiskGcContext {
  readonly layout: DiskLayout;
  readonly durability: Durability;
  readonly uploads: DiskUploads;
  /**
   * Deletes a manifest gc found untagged when its revision file was `revision` (see
   * {@link revisionIdentity}); if the file changed since, a tag may name it now and every tag is
   * checked under the lock.
   */
  readonly deleteManifest: (repository: string, digest: Hash, revision: string) => Promise<boolean>;
}

/** A repository as gathered: the planner's view plus each manifest's revision file identity. */
interface GatheredRepository extends GcRepository {
  readonly revisions: ReadonlyMap<string, string>;
}

/**
 * Which write of a revision file this is: inode and modification time. Only `putManifest` makes a
 * tag, and it always rewrites the manifest's revision file (a new file renamed into place), so an
 * unchanged identity proves no tag has come to name the manifest since gc read the tags.
 */
export async function revisionIdentity(path: string): Promise<string | undefined> {
  try {
    const st = await stat(path, { bigint: true });
    return `${st.ino}:${st.mtimeNs}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}


/** Runs (or, with `dryRun`, plans) a collection; see `RegistryStorage.gc`. */
export async function collectGarbage(ctx: DiskGcContext, options: GcOptions): Promise<GcReport> {
  const { layout } = ctx;
  const cutoff = uploadCutoff(options);
  const repositories = await findRepositories(layout, ['_manifests', '_layers']);
  const model = new Map<string, GatheredRepository>();
  for (const name of repositories) model.set(name, await gather(layout, name));
  const plan = planGc(model.values(), options);

  const swept = (await listBlobs(layout)).filter((b) => !plan.referenced.has(b.digest.toString()));
  const sweptSet = new Set(swept.map((b) => b.digest.toString()));
  let bytes = swept.reduce((sum, b) => sum + b.size, 0);

  const stale: { repository: string; id: string }[] = [];
  if (cutoff !== undefined) {
    for (const repository of await findRepositories(layout, ['_uploads'])) {
      for (const u of await ctx.uploads.startedBefore(repository, cutoff)) {
        stale.push({ repository, id: u.id });
        bytes += u.size;
      }
    }
  }

  if (!options.dryRun) {
    // Tags were read once, above: a manifest planned for removal was named by none of them.
    for (const m of plan.manifests) {
      await ctx.deleteManifest(m.repository, Hash.parse(m.digest), model.get(m.repository)?.revisions.get(m.digest) ?? '');
    }
    for (const repository of repositories) {
      for (const digest of await digestsIn(join(layout.repository(repository), '_layers'))) {
        if (sweptSet.has(digest.toString()) || !(await exists(layout.blob(digest)))) {
          await removeIfExists(layout.layerLink(repository, digest));
        }
      }
    }
    for (const b of swept) await removeIfExists(layout.blob(b.digest));
    for (const u of stale) await ctx.uploads.cancel(u.repository, u.id);
  }

  return {
    blobs: swept.map((b) => b.digest.toString()),
    manifests: plan.manifests.map((m) => `${m.repository}@${m.digest}`),
    uploads: stale.map((u) => `${u.repository}/_uploads/${u.id}`).sort(compare),
    bytes,
  };
}

/** One repository's manifests, with what each references, and its tags' targets. */
async function gather(layout: DiskLayout, name: string): Promise<GatheredRepository> {
  const manifests = new Map<string, ManifestReferences>();
  const revisions = new Map<string, string>();
  for (const digest of await digestsIn(layout.revisions(name))) {
    // Taken before the read: a rewrite in between shows as a changed identity, the safe side.
    const identity = await revisionIdentity(layout.revision(name, digest));
    const revision = await readRevision(layout.revision(name, digest));
    const bytes = await readIfExists(layout.blob(digest));
    if (revision === undefined || bytes === undefined) continue;
    let refs: ManifestReferences;
    try {
      refs = manifestReferences(bytes);
    } catch (err) {
      // Sweeping without knowing what this manifest needs could delete its layers.
      throw new BadDocumentError(`cannot collect garbage: manifest ${name}@${digest} does not parse`, '', { cause: err });
    }
    manifests.set(digest.toString(), revision.subject === undefined || refs.subject !== undefined ? refs : { ...refs, subject: revision.subject });
    if (identity !== undefined) revisions.set(digest.toString(), identity);
  }
  const tags = new Set<string>();
  for (const tag of await listDirectory(layout.tags(name))) {
    if (!isTag(tag)) continue;
    const target = (await readIfExists(layout.tag(name, tag)))?.toString('utf8').trim();
    if (target !== undefined) tags.add(target);
  }
  return { name, manifests, tags: [...tags], revisions };
}
