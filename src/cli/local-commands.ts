/**
 * @module The crane commands for images on disk: `pull` (docker tarball, legacy tarball or OCI
 * layout), `push` (from a layout or a tarball), `index list` (remote index or local layout) and
 * `layout gc`. Output as crane prints it: results on stdout, `Error: …` and exit 1 on failure.
 */
import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../internal/atomic-file/index.ts';
import { parseReference } from '../name/index.ts';
import * as types from '../types/index.ts';
import { Platform } from '../v1/platform.ts';
import { commandRunner } from './globals.ts';
import type { ProgramIO } from './program.ts';

const lib = () => import('../crane/index.ts');

/** crane's test for "this names a local layout, not a registry reference" (ggcr `isLocalReference`). */
export function isLocalReference(ref: string): boolean {
  return existsSync(ref) || ref.startsWith('.') || ref.startsWith('/');
}

export function registerLocalCommands(program: Command, io: ProgramIO): void {
  const run = commandRunner(io);

  program
    .command('pull')
    .description('Pull remote images by reference and store their contents locally')
    .usage('[options] <image...> <path>')
    .argument('<image...>', 'one or more images, then the PATH to write')
    .option('--format <format>', 'Format in which to save images ("tarball", "legacy", or "oci")', 'tarball')
    .option('-c, --cache_path <dir>', 'Path to cache image layers')
    .option('--annotate-ref', 'Preserves image reference used to pull as an annotation when used with --format=oci')
    .action(
      run(async (o, args: string[], flags: { format: string; cache_path?: string; annotateRef?: boolean }) => {
        if (args.length < 2) throw new Error('requires at least 2 arg(s): IMAGE... PATH');
        const crane = await lib();
        const path = args[args.length - 1]!;
        const { withProgressBars } = await import('./progress-bars.ts');
        const bars = await withProgressBars(o);
        try {
          await crane.pullTo(args.slice(0, -1), path, {
            ...bars.options,
            format: flags.format as 'tarball',
            ...(flags.cache_path ? { cachePath: flags.cache_path } : {}),
            ...(flags.annotateRef ? { annotateRef: true } : {}),
          });
        } finally {
          bars.stop();
        }
      }),
    );

  program
    .command('push')
    .description('Push local image contents to a remote registry')
    .argument('<path>', 'an OCI layout directory, or a docker tarball file')
    .argument('<image>')
    .option('--index', 'push a collection of images as a single index, currently required if PATH contains multiple images')
    .option('--image-refs <file>', 'path to file where a list of the published image references will be written')
    .action(
      run(async (o, path: string, image: string, flags: { index?: boolean; imageRefs?: string }) => {
        const crane = await lib();
        const item = await crane.loadLocal(path, { ...(flags.index ? { index: true } : {}), ...(o.signal ? { signal: o.signal } : {}) });
        const { withProgressBars } = await import('./progress-bars.ts');
        const bars = await withProgressBars(o);
        let h;
        try {
          h = await crane.push(item, image, bars.options);
        } finally {
          bars.stop();
        }
        const ref = `${parseReference(image).context().name()}@${h}`;
        if (flags.imageRefs) await writeFileAtomic(flags.imageRefs, Buffer.from(ref), { mode: 0o600, createParent: false });
        io.stdout(`${ref}\n`);
      }),
    );

  const index = program.command('index').description('Modify an image index.');
  index
    .command('list')
    .description('List the manifests in an index.')
    .argument('<image>', 'a remote index, or a local OCI layout (a folder, or an OCI-layout tar)')
    .action(
      run(async (o, image: string) => {
        let idx;
        if (isLocalReference(image) && existsSync(image) && !statSync(image).isDirectory()) {
          // An OCI-layout archive (podman oci-archive, buildkit type=oci): its index.json.
          const tarball = await import('../tarball/index.ts');
          idx = await tarball.imageIndexFromPath(image, o.signal ? { signal: o.signal } : {});
        } else if (isLocalReference(image)) {
          const layout = await import('../layout/index.ts');
          idx = await (await layout.fromPath(image)).imageIndex();
        } else {
          const crane = await lib();
          const remote = await import('../remote/index.ts');
          const desc = await remote.get(image, await crane.remoteOptions(o));
          if (!types.isIndex(desc.mediaType)) throw new Error(`expected ${image} to be an index, got ${JSON.stringify(desc.mediaType)}`);
          idx = await desc.imageIndex();
        }
        const row = (a: string, b: string, c: string) => `${a.padEnd(70)} ${b.padEnd(20)} ${c}\n`;
        let out = row('Digest', 'MediaType', 'Platform');
        for (const m of (await idx.indexManifest()).manifests) {
          out += row(m.digest.toString(), m.mediaType, m.platform ? Platform.toString(m.platform) : '-');
        }
        io.stdout(out);
      }),
    );

  const layoutCmd = program.command('layout').description('Operate on OCI layouts');
  layoutCmd
    .command('gc')
    .description('Garbage collect unreferenced blobs in a local oci-layout')
    .argument('<oci-layout>')
    .option('--dry-run', 'Only list (on stdout) what would be deleted')
    .action(
      run(async (_o, dir: string, flags: { dryRun?: boolean }) => {
        const layout = await import('../layout/index.ts');
        const p = await layout.fromPath(dir);
        const gone = await p.garbageCollect(flags.dryRun ? { dryRun: true } : {});
        // As crane: each deletion is logged on stderr, stdout stays empty; a dry run's list is its output.
        for (const h of gone) {
          if (flags.dryRun) io.stdout(`${h}\n`);
          else io.stderr(`garbage collecting: ${h}\n`);
        }
      }),
    );
}
