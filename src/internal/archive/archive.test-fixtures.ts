/**
 * @module Hand-built tar archives for the archive and tarball tests (not a test file itself):
 * entries made with internal/tar's writer, hostile names and links included, written to temp
 * files and offered as both kinds of FileSource.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createTarStream, type TarEntry } from '../tar/index.ts';
import type { FileSource } from './file-source.ts';
import { openerTarSource } from './opener-source.ts';
import { openTarSource } from './tar-source.ts';
export { buffer as collect } from 'node:stream/consumers';

/** A regular file entry. */
export function file(name: string, content: string | Uint8Array): TarEntry {
  const body = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
  return { header: { name, type: 'file', mode: 0o644, size: body.length }, body };
}

export function dir(name: string): TarEntry {
  return { header: { name, type: 'directory', mode: 0o755 } };
}

export function symlink(name: string, target: string): TarEntry {
  return { header: { name, type: 'symlink', linkname: target, mode: 0o777 } };
}

export function hardlink(name: string, target: string): TarEntry {
  return { header: { name, type: 'link', linkname: target, mode: 0o644 } };
}

/** The archive's bytes. */
export async function tarBytes(entries: readonly TarEntry[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of createTarStream(entries)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A fresh temp folder, removed by `cleanup`; `listing` tells what is in it now. */
export async function tempFolder(): Promise<{ dir: string; listing: () => Promise<string[]>; cleanup: () => Promise<void> }> {
  const d = await mkdtemp(join(tmpdir(), 'containerregistry-archive-'));
  return {
    dir: d,
    listing: async () => (await readdir(d, { recursive: true })).sort(),
    cleanup: () => rm(d, { recursive: true, force: true }),
  };
}

/** Writes `bytes` to `name` in `folder` and returns the path. */
export async function writeArchive(folder: string, name: string, bytes: Uint8Array): Promise<string> {
  const p = join(folder, name);
  await writeFile(p, bytes);
  return p;
}

/** Feeds `data` in chunks of `size` bytes, so headers and bodies straddle chunk edges. */
export function chunked(data: Buffer, size = 700): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) parts.push(data.subarray(i, i + size));
  return Readable.from(parts, { objectMode: false });
}

/** Both kinds of source over the same bytes: the seekable one (from a file) and the re-reading one. */
export async function bothSources(folder: string, bytes: Buffer): Promise<{ kind: string; source: () => Promise<FileSource> }[]> {
  const path = await writeArchive(folder, `a${Math.random().toString(36).slice(2)}.tar`, bytes);
  return [
    { kind: 'file', source: () => openTarSource(path) },
    { kind: 'opener', source: async () => openerTarSource(async () => chunked(bytes), { description: `stream of ${path}` }) },
  ];
}

