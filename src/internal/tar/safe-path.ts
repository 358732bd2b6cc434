/**
 * @module Spotting hostile tar entries before anything is extracted: names that are absolute or
 * climb out of the root with `..`, and link targets that would. The checks are lexical and never
 * touch the filesystem or follow links; an extractor must still refuse to write through a
 * symlink it created (lstat / O_NOFOLLOW), which no name check can see.
 */
import { join } from 'node:path';
import { UnsafePathError } from '../../errors/index.ts';
import type { TarHeader } from './header.ts';

/** Why an entry is unsafe. */
export type UnsafePathReason =
  | 'empty-name'
  | 'absolute-name'
  | 'name-escapes-root'
  | 'absolute-link'
  | 'link-escapes-root';

/** An unsafe entry: why, and a message naming it. */
export interface UnsafePath {
  reason: UnsafePathReason;
  message: string;
}

/** Options for {@link classifyEntryPath} and {@link checkEntryPath}. */
export interface SafePathOptions {
  /**
   * Accept symlinks whose target is absolute (default true). Image layers are full of them
   * (`/bin -> /usr/bin`) and a container runtime resolves them inside the root; set false when
   * the extracted tree will be used by something that resolves them against the host's `/`.
   */
  allowAbsoluteSymlinks?: boolean;
}

/**
 * How deep `path` ends below `depth`, walking its components lexically; -1 as soon as it climbs
 * above the root (even if it comes back down, as `../root/x` does).
 */
function walkDepth(path: string, depth: number): number {
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (--depth < 0) return -1;
    } else {
      depth++;
    }
  }
  return depth;
}

/**
 * Returns why the entry would land outside the root it is extracted into, or undefined when it
 * is safe. Absolute names and names with `..` past the root are unsafe; so are hard links whose
 * target is, and symlinks whose relative target climbs out of the root from the link's folder.
 * PAX global headers name no file and are always safe.
 *
 * @example
 * for await (const { header, body } of readTar(stream)) {
 *   if (classifyEntryPath(header)) { body.resume(); continue; } // skip hostile entries
 * }
 */
export function classifyEntryPath(
  header: Pick<TarHeader, 'name' | 'type' | 'linkname'>,
  options: SafePathOptions = {},
): UnsafePath | undefined {
  if (header.type === 'pax-global') return undefined;
  const name = header.name;
  const quoted = JSON.stringify(name);
  if (name === '') return { reason: 'empty-name', message: 'tar entry has an empty name' };
  if (name.startsWith('/')) return { reason: 'absolute-name', message: `tar entry ${quoted} has an absolute path` };
  const depth = walkDepth(name, 0);
  if (depth < 0) return { reason: 'name-escapes-root', message: `tar entry ${quoted} climbs out of the root with ".."` };

  const target = header.linkname ?? '';
  if (header.type === 'link') {
    // A hard link's target is another archive path, relative to the root.
    if (target.startsWith('/')) {
      return { reason: 'absolute-link', message: `tar entry ${quoted} is a hard link to the absolute path ${JSON.stringify(target)}` };
    }
    if (walkDepth(target, 0) < 0) {
      return { reason: 'link-escapes-root', message: `tar entry ${quoted} is a hard link to ${JSON.stringify(target)}, outside the root` };
    }
  } else if (header.type === 'symlink') {
    if (target.startsWith('/')) {
      if (options.allowAbsoluteSymlinks === false) {
        return { reason: 'absolute-link', message: `tar entry ${quoted} is a symlink to the absolute path ${JSON.stringify(target)}` };
      }
    } else {
      // A symlink's target is relative to the folder holding the link; a name ending in "/" still names the link itself.
      const parentDepth = walkDepth(name.replace(/\/+$/, ''), 0) - 1;
      if (walkDepth(target, Math.max(parentDepth, 0)) < 0) {
        return { reason: 'link-escapes-root', message: `tar entry ${quoted} is a symlink to ${JSON.stringify(target)}, outside the root` };
      }
    }
  }
  return undefined;
}

/** Throws UnsafePathError (`ERR_UNSAFE_PATH`, naming the entry) when {@link classifyEntryPath} finds a problem. */
export function checkEntryPath(header: Pick<TarHeader, 'name' | 'type' | 'linkname'>, options: SafePathOptions = {}): void {
  const problem = classifyEntryPath(header, options);
  if (problem) throw new UnsafePathError(problem.message, header.name);
}

/**
 * Returns `root` joined with the archive path `name`, or throws UnsafePathError when `name` is
 * absolute or climbs out of `root`. Lexical only: links on disk are not looked at.
 *
 * @example
 * const target = safeJoin('/tmp/rootfs', header.name); // '/tmp/rootfs/etc/hosts'
 */
export function safeJoin(root: string, name: string): string {
  checkEntryPath({ name, type: 'file' });
  return join(root, name);
}
