/**
 * @module The revision link of a manifest stored in a repository (`_manifests/revisions/<alg>/<hex>`):
 * a small JSON record of its digest, media type and subject. The bytes themselves are a blob.
 */
import { BadDocumentError } from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';
import { readIfExists } from './disk-files.ts';

/** What a revision link records. */
export interface Revision {
  readonly digest: string;
  readonly mediaType: string;
  /** The digest this manifest was pushed as a referrer of. */
  readonly subject?: string;
}

/** The link's content. */
export function encodeRevision(revision: Revision): string {
  return JSON.stringify(revision);
}

/**
 * Reads a revision link, or undefined when there is none. The links are written atomically by
 * this backend, so one that does not parse is damage from outside: reported, not skipped.
 */
export async function readRevision(path: string): Promise<Revision | undefined> {
  const raw = await readIfExists(path);
  if (raw === undefined) return undefined;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new BadDocumentError(`revision link ${path} is not JSON`, '', { cause: err });
  }
  const { digest, mediaType, subject } = o;
  if (typeof digest !== 'string' || !Hash.isValid(digest) || typeof mediaType !== 'string') {
    throw new BadDocumentError(`revision link ${path} lacks a digest or media type`);
  }
  if (subject !== undefined && (typeof subject !== 'string' || !Hash.isValid(subject))) {
    throw new BadDocumentError(`revision link ${path} has an invalid subject`, 'subject');
  }
  return subject === undefined ? { digest, mediaType } : { digest, mediaType, subject };
}
