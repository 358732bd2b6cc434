/**
 * @module crane's read verbs: `digest`, `manifest`, `config`, `blob`, `listTags`, `catalog`
 * (ggcr's `crane.Digest`, `Manifest`, `Config`, `PullLayer`, `ListTags`, `Catalog`).
 */
import type { Readable } from 'node:stream';
import { Digest as DigestRef } from '../name/index.ts';
import * as types from '../types/index.ts';
import type { Hash } from '../v1/hash.ts';
import * as remote from '../remote/index.ts';
import { remoteOptions, type CraneOptions } from './options.ts';

/**
 * The digest of what `ref` names: a HEAD, falling back to a GET; with `platform`, the digest of
 * that platform's image inside an index (ggcr `crane.Digest`).
 */
export async function digest(ref: string, options: CraneOptions = {}): Promise<Hash> {
  const o = await remoteOptions(options);
  if (!o.platform) {
    try {
      return (await remote.head(ref, o)).digest;
    } catch {
      // Some registries refuse HEAD or omit headers: ask with a GET, as ggcr does.
    }
    return (await remote.get(ref, o)).descriptor.digest;
  }
  const desc = await remote.get(ref, o);
  if (types.isIndex(desc.mediaType)) return (await desc.image()).digest();
  return desc.descriptor.digest;
}

/** The manifest bytes `ref` names; with `platform`, that platform's image manifest (ggcr `crane.Manifest`). */
export async function manifest(ref: string, options: CraneOptions = {}): Promise<Buffer> {
  const o = await remoteOptions(options);
  const desc = await remote.get(ref, o);
  if (o.platform && types.isIndex(desc.mediaType)) return (await desc.image()).rawManifest();
  return desc.manifest;
}

/** The config blob of the image `ref` names (an index resolves by platform; ggcr `crane.Config`). */
export async function config(ref: string, options: CraneOptions = {}): Promise<Buffer> {
  const o = await remoteOptions(options);
  return (await (await remote.get(ref, o)).image()).rawConfigFile();
}

/** The blob `repo@digest` names, verified as it streams (ggcr `crane.PullLayer` / `crane blob`). */
export async function blob(ref: string, options: CraneOptions = {}): Promise<Readable> {
  const o = await remoteOptions(options);
  const l = await remote.layer(DigestRef.parse(ref), o);
  return l.compressed(o.signal ? { signal: o.signal } : {});
}

/** Every tag of `repo` (ggcr `crane.ListTags`). */
export async function listTags(repo: string, options: CraneOptions = {}): Promise<string[]> {
  return remote.list(repo, await remoteOptions(options));
}

/** Every repository of `registry` (ggcr `crane.Catalog`). */
export async function catalog(registry: string, options: CraneOptions = {}): Promise<string[]> {
  return remote.catalog(registry, await remoteOptions(options));
}
