/**
 * @module Garbage collection for the disk backend: gathers every repository's manifests (parsed
 * from their stored bytes) and tags, lets `planGc` decide, then deletes manifests, the links to
 * swept blobs, and the blobs, in that order so a crash part-way never leaves a link to nothing.
 */
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
  /** Deletes a manifest and, of `tags` (those gc found naming it), the ones that still do. */
  readonly deleteManifest: (repository: string, digest: Hash, tags: readonly string[]) => Promise<boolean>;
}

/** A repository as gathered: the planner's view plus, per manifest digest, the tags naming it. */
interface GatheredRepository extends GcRepository {
  readonly tagsNaming: ReadonlyMap<string, readonly string[]>;
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
    // Tags were read once, above; deleting a manifest re-reads only those that named it.
    for (const m of plan.manifests) {
      await ctx.deleteManifest(m.repository, Hash.parse(m.digest), model.get(m.repository)?.tagsNaming.get(m.digest) ?? []);
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
  for (const digest of await digestsIn(layout.revisions(name))) {
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
  }
  const tagsNaming = new Map<string, string[]>();
  for (const tag of await listDirectory(layout.tags(name))) {
    if (!isTag(tag)) continue;
    const target = (await readIfExists(layout.tag(name, tag)))?.toString('utf8').trim();
    if (target === undefined) continue;
    const list = tagsNaming.get(target);
    if (list) list.push(tag);
    else tagsNaming.set(target, [tag]);
  }
  return { name, manifests, tags: [...tagsNaming.keys()], tagsNaming };
}
