/**
 * @module The decision half of garbage collection, shared by both backends: given every
 * repository's manifests (with what each references) and tags, which manifests go (with
 * `untagged`) and which blobs stay referenced. Backends gather the facts and do the deleting.
 */
import { InvalidArgumentError } from '../../errors/index.ts';
import type { ManifestReferences } from './manifest-references.ts';

/** One repository as the collector sees it. */
export interface GcRepository {
  readonly name: string;
  /** Stored manifests by digest string, with what each references. */
  readonly manifests: ReadonlyMap<string, ManifestReferences>;
  /** Digest string of each tag's manifest. */
  readonly tags: Iterable<string>;
}

/** What to remove and what to keep. */
export interface GcPlan {
  /** Manifests to delete, sorted by repository then digest. */
  readonly manifests: readonly { readonly repository: string; readonly digest: string }[];
  /** Digest strings of every blob a surviving manifest needs (its own bytes included). */
  readonly referenced: ReadonlySet<string>;
}

/**
 * Plans a collection. With `untagged`, a manifest survives only if it is reached from a tag of its
 * repository: tagged itself, a child of a reached index, or a referrer of a reached manifest
 * (signatures and SBOMs stay with their image). Blobs are referenced by surviving manifests only,
 * so in a dry run the report already counts what deleting those manifests would free.
 */
export function planGc(repositories: Iterable<GcRepository>, options: { untagged?: boolean | undefined } = {}): GcPlan {
  const removed: { repository: string; digest: string }[] = [];
  const referenced = new Set<string>();
  for (const repo of repositories) {
    const survivors = options.untagged ? reachable(repo) : new Set(repo.manifests.keys());
    for (const [digest, refs] of repo.manifests) {
      if (!survivors.has(digest)) {
        removed.push({ repository: repo.name, digest });
        continue;
      }
      referenced.add(digest);
      for (const b of refs.blobs) referenced.add(b);
      for (const m of refs.manifests) referenced.add(m);
    }
  }
  removed.sort((a, b) => compare(a.repository, b.repository) || compare(a.digest, b.digest));
  return { manifests: removed, referenced };
}

function reachable(repo: GcRepository): Set<string> {
  const referrersOf = new Map<string, string[]>();
  for (const [digest, refs] of repo.manifests) {
    if (refs.subject === undefined) continue;
    const list = referrersOf.get(refs.subject) ?? [];
    list.push(digest);
    referrersOf.set(refs.subject, list);
  }
  const reached = new Set<string>();
  const queue = [...repo.tags];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    const refs = repo.manifests.get(next);
    if (refs === undefined || reached.has(next)) continue;
    reached.add(next);
    queue.push(...refs.manifests, ...(referrersOf.get(next) ?? []));
  }
  return reached;
}

/**
 * The time (ms since the epoch) before which an upload counts as abandoned, or undefined when
 * `uploadsOlderThanMs` is unset. Throws `InvalidArgumentError` for a negative or non-finite age.
 */
export function uploadCutoff(options: { uploadsOlderThanMs?: number | undefined }, now = Date.now()): number | undefined {
  const age = options.uploadsOlderThanMs;
  if (age === undefined) return undefined;
  if (!Number.isFinite(age) || age < 0) {
    throw new InvalidArgumentError(`uploadsOlderThanMs must be a non-negative number of milliseconds, got ${age}`);
  }
  return now - age;
}

/** Byte-wise (code unit) order, the order listings use. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
