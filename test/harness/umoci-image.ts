/**
 * @module Tiny OCI images made by a real producer, umoci, in an OCI layout folder: a blank image,
 * a few files added through an unpack/repack round, and a config with a command. Plus reading a
 * tag's manifest descriptor back out of the layout's `index.json`, and adding an image index
 * over several of the layout's manifests (umoci cannot make one).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { mustRun } from './run-command.ts';

/** A descriptor as an OCI layout's `index.json` lists it. */
export interface LayoutDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Record<string, string>;
  readonly platform?: { readonly architecture: string; readonly os: string };
}

/** What {@link makeUmociImage} puts in the image. */
export interface UmociImageSpec {
  /** Relative path in the root filesystem → content. */
  readonly files: Readonly<Record<string, string>>;
  /** `config.cmd`, one argument per entry. */
  readonly cmd: readonly string[];
  /** Default amd64 (umoci's default on this machine). */
  readonly architecture?: string;
}

const REF_NAME = 'org.opencontainers.image.ref.name';

/**
 * Makes `layout:tag` with umoci (creating the layout if needed) and returns its manifest
 * descriptor from `index.json`. `work` is a scratch folder for the unpacked bundle.
 */
export async function makeUmociImage(umoci: string, layout: string, tag: string, work: string, spec: UmociImageSpec): Promise<LayoutDescriptor> {
  const image = `${layout}:${tag}`;
  const opts = { timeoutMs: 30_000 };
  try {
    await readFile(join(layout, 'index.json'));
  } catch {
    await mustRun(umoci, ['init', '--layout', layout], opts);
  }
  await mustRun(umoci, ['new', '--image', image], opts);
  const bundle = join(work, `bundle-${tag}`);
  await mustRun(umoci, ['unpack', '--rootless', '--image', image, bundle], opts);
  for (const [path, content] of Object.entries(spec.files)) {
    const target = join(bundle, 'rootfs', path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
  await mustRun(umoci, ['repack', '--image', image, bundle], opts);
  const config = ['config', '--image', image, ...spec.cmd.flatMap((arg) => ['--config.cmd', arg])];
  if (spec.architecture) config.push('--architecture', spec.architecture);
  await mustRun(umoci, config, opts);
  const found = await layoutDescriptor(layout, tag);
  if (!found) throw new Error(`umoci made no tag ${tag} in ${layout}/index.json`);
  return found;
}

/** The descriptor `index.json` of `layout` lists under the ref name `tag`, if any. */
export async function layoutDescriptor(layout: string, tag: string): Promise<LayoutDescriptor | undefined> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests?: LayoutDescriptor[] };
  return (index.manifests ?? []).find((m) => m.annotations?.[REF_NAME] === tag);
}

/** The bytes of blob `digest` in `layout`. */
export function readLayoutBlob(layout: string, digest: string): Promise<Buffer> {
  const [algorithm, hex] = digest.split(':');
  return readFile(join(layout, 'blobs', algorithm ?? '', hex ?? ''));
}

/**
 * Writes an OCI image index over `entries` (each a manifest already in the layout, with the
 * platform it stands for) as a blob of `layout`, and tags it `tag` in `index.json`. Returns the
 * index's digest.
 */
export async function addImageIndex(
  layout: string,
  tag: string,
  entries: readonly { readonly descriptor: LayoutDescriptor; readonly architecture: string }[],
): Promise<string> {
  const document = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: entries.map((e) => ({
      mediaType: e.descriptor.mediaType,
      digest: e.descriptor.digest,
      size: e.descriptor.size,
      platform: { architecture: e.architecture, os: 'linux' },
    })),
  };
  const bytes = Buffer.from(JSON.stringify(document));
  const hex = createHash('sha256').update(bytes).digest('hex');
  await writeFile(join(layout, 'blobs', 'sha256', hex), bytes);
  const indexPath = join(layout, 'index.json');
  const top = JSON.parse(await readFile(indexPath, 'utf8')) as { manifests: LayoutDescriptor[] };
  top.manifests = top.manifests.filter((m) => m.annotations?.[REF_NAME] !== tag);
  top.manifests.push({ mediaType: document.mediaType, digest: `sha256:${hex}`, size: bytes.length, annotations: { [REF_NAME]: tag } });
  await writeFile(indexPath, JSON.stringify(top));
  return `sha256:${hex}`;
}
