/**
 * @module Where the disk backend keeps everything, after the distribution registry's layout:
 *
 * ```
 * root/blobs/<alg>/<first 2 hex>/<hex>                          content, shared by all repositories
 * root/repositories/<repo>/_layers/<alg>/<hex>                  link: the blob is visible in <repo>
 * root/repositories/<repo>/_manifests/revisions/<alg>/<hex>     link: the manifest, its media type, its subject
 * root/repositories/<repo>/_manifests/tags/<tag>                the tag's digest
 * root/repositories/<repo>/_referrers/<alg>/<hex>/<alg>-<hex>.json   a referrer's descriptor
 * root/repositories/<repo>/_uploads/<id>/{data,startedat}       an upload in progress
 * root/tmp/                                                     files being written, renamed into place
 * ```
 *
 * Every path is built here from a name, tag, id or digest that is checked first, and the result
 * is checked to lie inside the root, so no caller can make the storage touch anything else.
 */
import { join, resolve, sep } from 'node:path';
import { InvalidArgumentError } from '../../errors/index.ts';
import type { Hash } from '../../v1/hash.ts';
import { checkDigest, checkRepository, checkTag, checkUploadId } from './names.ts';

/** Path builders for one storage root. */
export class DiskLayout {
  readonly root: string;
  readonly blobs: string;
  readonly repositories: string;
  readonly tmp: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.blobs = join(this.root, 'blobs');
    this.repositories = join(this.root, 'repositories');
    this.tmp = join(this.root, 'tmp');
  }

  /** The content of a blob. */
  blob(digest: Hash): string {
    const { algorithm, hex } = checkDigest(digest);
    return this.#inside(join(this.blobs, algorithm, hex.slice(0, 2), hex));
  }

  /** A repository's directory. */
  repository(name: string): string {
    return this.#inside(join(this.repositories, ...checkRepository(name).split('/')));
  }

  /** The link that makes `digest` visible in `repository`. */
  layerLink(repository: string, digest: Hash): string {
    const { algorithm, hex } = checkDigest(digest);
    return join(this.repository(repository), '_layers', algorithm, hex);
  }

  /** Directory of a repository's manifest revisions. */
  revisions(repository: string): string {
    return join(this.repository(repository), '_manifests', 'revisions');
  }

  /** The link that records a manifest stored in `repository`. */
  revision(repository: string, digest: Hash): string {
    const { algorithm, hex } = checkDigest(digest);
    return join(this.revisions(repository), algorithm, hex);
  }

  /** Directory of a repository's tags. */
  tags(repository: string): string {
    return join(this.repository(repository), '_manifests', 'tags');
  }

  /** A tag's file. */
  tag(repository: string, tag: string): string {
    return join(this.tags(repository), checkTag(tag));
  }

  /** Directory of the referrers of `subject`. */
  referrers(repository: string, subject: Hash): string {
    const { algorithm, hex } = checkDigest(subject);
    return join(this.repository(repository), '_referrers', algorithm, hex);
  }

  /** The entry listing `digest` as a referrer of `subject`. */
  referrer(repository: string, subject: Hash, digest: Hash): string {
    const { algorithm, hex } = checkDigest(digest);
    return join(this.referrers(repository, subject), `${algorithm}-${hex}.json`);
  }

  /** Directory of a repository's uploads. */
  uploads(repository: string): string {
    return join(this.repository(repository), '_uploads');
  }

  /** An upload's directory. */
  upload(repository: string, id: string): string {
    return join(this.uploads(repository), checkUploadId(id));
  }

  /** A fresh name under `tmp/` (callers pass a random suffix). */
  temp(name: string): string {
    if (!/^[a-z0-9-]+$/.test(name)) throw new InvalidArgumentError(`invalid temporary name ${JSON.stringify(name)}`);
    return join(this.tmp, name);
  }

  #inside(path: string): string {
    if (!path.startsWith(this.root + sep)) {
      throw new InvalidArgumentError(`path ${JSON.stringify(path)} is outside the storage root ${this.root}`);
    }
    return path;
  }
}
