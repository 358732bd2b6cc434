/**
 * @module The table of contents of a tar archive read as a tree of files: entries by cleaned
 * name, duplicates refused, and lookups that follow symlinks and hard links inside the archive
 * only. Shared by the seekable and the re-reading tar sources so both apply the same rules.
 */
import { BadTarError, UnsafePathError } from '../../errors/index.ts';
import { classifyEntryPath } from '../tar/safe-path.ts';
import type { ScannedEntry } from './tar-scan.ts';

/** An entry with the name it is found by. */
export interface IndexedEntry extends ScannedEntry {
  /** The name cleaned: no `./`, no empty components, no trailing slash. */
  readonly path: string;
}

/**
 * Linux gives up after 40 links in one lookup (MAXSYMLINKS); a chain that long in an image
 * archive is a loop that grows (`a -> a/x`) rather than repeats.
 */
const MAX_LINKS = 40;

/**
 * The components of `name` relative to the folder `base`, with `.` and empty parts dropped and
 * `..` applied; undefined when `..` climbs above the root or the name is absolute.
 */
export function cleanComponents(name: string, base: readonly string[] = []): string[] | undefined {
  if (name.startsWith('/')) return undefined;
  const out = [...base];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else {
      out.push(part);
    }
  }
  return out;
}

/** The components of a hostile name with its leading slashes and excess `..` dropped. */
function strippedComponents(name: string): string[] {
  const out: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out;
}

function isRegular(e: IndexedEntry): boolean {
  return e.type === 'file' || e.type === 'contiguous';
}

function isLink(e: IndexedEntry): boolean {
  return e.type === 'symlink' || e.type === 'link';
}

function describeLink(e: IndexedEntry): string {
  return `${e.type === 'link' ? 'hard link' : 'symlink'} ${JSON.stringify(e.path)} -> ${JSON.stringify(e.linkname)}`;
}

/** Entries of one archive by cleaned name. Building it throws on duplicate names. */
export class TarIndex {
  readonly #where: string;
  readonly #byPath = new Map<string, IndexedEntry>();
  /** Entries whose own names are absolute or climb out, by the name they pretend to have. */
  readonly #refused = new Map<string, ScannedEntry>();

  /** `where` names the archive in errors (`archive /tmp/x.tar`). */
  constructor(entries: Iterable<ScannedEntry>, where: string) {
    this.#where = where;
    for (const e of entries) {
      const parts = cleanComponents(e.rawName);
      if (parts === undefined || classifyEntryPath({ name: e.rawName, type: 'file' })) {
        // Never served; remembered so that a lookup of the name it pretends to have can say why.
        const stripped = strippedComponents(e.rawName).join('/');
        if (!this.#refused.has(stripped)) this.#refused.set(stripped, e);
        continue;
      }
      // `./` or `/`-only names are the root folder itself.
      if (parts.length === 0) continue;
      const path = parts.join('/');
      const earlier = this.#byPath.get(path);
      if (earlier) {
        // tar -r and some writers repeat folder entries; that is harmless. Two files under one
        // name are not: which one "the file" is would depend on the reader.
        if (earlier.type === 'directory' && e.type === 'directory') continue;
        const names = earlier.rawName === e.rawName ? '' : ` (written as ${JSON.stringify(earlier.rawName)} and ${JSON.stringify(e.rawName)})`;
        throw new BadTarError(
          `${where} has two entries named ${JSON.stringify(path)}${names}, with headers at byte offsets ` +
            `${earlier.headerOffset} and ${e.headerOffset}; refusing to guess which one is meant`,
        );
      }
      this.#byPath.set(path, { ...e, path });
    }
  }

  /** Every regular file, symlink and hard link by cleaned name (links not followed). */
  entries(): IterableIterator<IndexedEntry> {
    return this.#byPath.values();
  }

  /**
   * The regular file `name` leads to once links are followed, or undefined when there is none.
   * Throws UnsafePathError for a name or link that leaves the archive, BadTarError for a loop.
   */
  lookup(name: string): IndexedEntry | undefined {
    const problem = classifyEntryPath({ name, type: 'file' });
    if (problem) throw new UnsafePathError(`${this.#where}: refusing to look up ${JSON.stringify(name)}: ${problem.message.replace(/^tar entry /, 'the name ')}`, name);
    const parts = cleanComponents(name);
    if (parts === undefined || parts.length === 0) return undefined;
    return this.#walk(parts, name, [], new Set());
  }

  #walk(parts: readonly string[], asked: string, chain: readonly IndexedEntry[], seen: Set<string>): IndexedEntry | undefined {
    for (let i = 0; i < parts.length; i++) {
      const prefix = parts.slice(0, i + 1).join('/');
      const entry = this.#byPath.get(prefix);
      const last = i === parts.length - 1;
      if (entry === undefined) {
        // Folders need no entries of their own; a missing last component is a missing file.
        if (!last) continue;
        const refused = this.#refused.get(prefix);
        if (refused) {
          throw new UnsafePathError(
            `${this.#where}: ${JSON.stringify(asked)} is only present as the entry ${JSON.stringify(refused.rawName)} ` +
              `(header at byte offset ${refused.headerOffset}), whose name leaves the archive root; refusing it`,
            refused.rawName,
          );
        }
        return undefined;
      }
      if (isLink(entry)) return this.#follow(entry, parts.slice(0, i), parts.slice(i + 1), asked, [...chain, entry], seen);
      if (last) return isRegular(entry) ? entry : undefined;
      // A file (or device) used as a folder.
      if (entry.type !== 'directory') return undefined;
    }
    return undefined;
  }

  #follow(
    link: IndexedEntry,
    folder: readonly string[],
    rest: readonly string[],
    asked: string,
    chain: readonly IndexedEntry[],
    seen: Set<string>,
  ): IndexedEntry | undefined {
    const trail = (): string => chain.map(describeLink).join(', ');
    if (link.linkname === '') {
      throw new BadTarError(`${this.#where}: ${describeLink(link)} (header at byte offset ${link.headerOffset}) has an empty target`);
    }
    // A symlink's target is relative to its folder; a hard link names another archive path.
    const target = cleanComponents(link.linkname, link.type === 'symlink' ? folder : []);
    if (target === undefined) {
      throw new UnsafePathError(
        `${this.#where}: looking up ${JSON.stringify(asked)} reaches ${describeLink(link)} (header at byte offset ` +
          `${link.headerOffset}), which leads outside the archive root; refusing to follow it (links followed: ${trail()})`,
        link.rawName,
      );
    }
    const next = [...target, ...rest];
    const state = next.join('/');
    if (seen.has(state) || chain.length > MAX_LINKS) {
      throw new BadTarError(`${this.#where}: links loop while looking up ${JSON.stringify(asked)}: ${trail()}`);
    }
    seen.add(state);
    if (next.length === 0) return undefined;
    return this.#walk(next, asked, chain, seen);
  }
}
