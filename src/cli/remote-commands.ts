/**
 * @module The crane commands that talk to registries: digest, manifest, config, blob, ls,
 * catalog, copy/cp, tag, delete, validate --remote. Output as crane prints it, so scripts work
 * unchanged: results on stdout, logs on stderr, exit 1 with `Error: …` on failure.
 */
import type { Command } from 'commander';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { parseReference, Registry } from '../name/index.ts';
import * as types from '../types/index.ts';
import { commandRunner } from './globals.ts';
import type { ProgramIO } from './program.ts';

// The library is loaded when a command runs, not when the CLI starts: `crane --help` and
// `crane version` stay fast and small.
const lib = () => import('../crane/index.ts');

export function registerRemoteCommands(program: Command, io: ProgramIO): void {
  const run = commandRunner(io);

  program
    .command('digest')
    .description('Get the digest of an image')
    .argument('[image]', 'the image; with --tarball, the tag to pick inside it')
    .option('--full-ref', '(Optional) if true, print the full image reference by digest')
    .option('--tarball <path>', '(Optional) path to tarball containing the image')
    .action(
      run(async (o, image: string | undefined, flags: { fullRef?: boolean; tarball?: string }) => {
        const crane = await lib();
        if (flags.tarball) {
          if (flags.fullRef) throw new Error('cannot specify --full-ref with --tarball');
          // A tag or --platform picks an image; otherwise the digest of what the archive holds, as
          // `crane push` would push it (a multi-platform OCI archive: its index).
          const item = image || o.platform ? await crane.load(flags.tarball, { tag: image, platform: o.platform }) : await crane.loadLocal(flags.tarball);
          io.stdout(`${await item.digest()}\n`);
          return;
        }
        if (!image) throw new Error('image reference required without --tarball');
        const d = await crane.digest(image, o);
        io.stdout(flags.fullRef ? `${parseReference(image).context().name()}@${d}\n` : `${d}\n`);
      }),
    );

  program
    .command('manifest')
    .description('Get the manifest of an image')
    .argument('<image>')
    .action(
      run(async (o, image: string) => {
        const crane = await lib();
        io.stdout((await crane.manifest(image, o)).toString('utf8'));
      }),
    );

  program
    .command('config')
    .description('Get the config of an image')
    .argument('<image>')
    .action(
      run(async (o, image: string) => {
        const crane = await lib();
        io.stdout((await crane.config(image, o)).toString('utf8'));
      }),
    );

  program
    .command('blob')
    .description('Read a blob from the registry')
    .argument('<blob>', 'repo@digest')
    .action(
      run(async (o, ref: string) => {
        const crane = await lib();
        const s = await crane.blob(ref, o);
        await pipeline(s, new Writable({ write: (c: Buffer, _e, cb) => io.stdoutBytes(c, cb) }));
      }),
    );

  program
    .command('ls')
    .description('List the tags in a repo')
    .argument('<repo>')
    .option('--full-ref', '(Optional) if true, print the full image reference')
    .option('-O, --omit-digest-tags', '(Optional), if true, omit digest tags (e.g., ":sha256-...")')
    .action(
      run(async (o, repo: string, flags: { fullRef?: boolean; omitDigestTags?: boolean }) => {
        const crane = await lib();
        const tags = await crane.listTags(repo, o);
        const name = flags.fullRef ? parseReference(repo).context().name() : '';
        for (const t of tags) {
          if (flags.omitDigestTags && t.startsWith('sha256-')) continue;
          io.stdout(flags.fullRef ? `${name}:${t}\n` : `${t}\n`);
        }
      }),
    );

  program
    .command('catalog')
    .description('List the repos in a registry')
    .argument('<registry>')
    .option('--full-ref', '(Optional) if true, print the full image reference')
    .action(
      run(async (o, registry: string, flags: { fullRef?: boolean }) => {
        const crane = await lib();
        const reg = Registry.parse(registry);
        for (const r of await crane.catalog(registry, o)) io.stdout(flags.fullRef ? `${reg.name()}/${r}\n` : `${r}\n`);
      }),
    );

  program
    .command('copy')
    .alias('cp')
    .description('Efficiently copy a remote image from src to dst while retaining the digest value')
    .argument('<src>')
    .argument('<dst>')
    .option('-a, --all-tags', '(Optional) if true, copy all tags from SRC to DST')
    .option('-n, --no-clobber', '(Optional) if true, avoid overwriting existing tags in DST')
    .option('-j, --jobs <n>', 'The maximum number of concurrent copies, defaults to 4', (v) => Number(v))
    .option('--referrers', 'Also copy the manifests that refer to what is copied (signatures, SBOMs, attestations)')
    .action(
      run(async (o, src: string, dst: string, flags: { allTags?: boolean; clobber?: boolean; jobs?: number; referrers?: boolean }) => {
        const crane = await lib();
        const { withProgressBars } = await import('./progress-bars.ts');
        const bars = await withProgressBars(o);
        try {
        await crane.copy(src, dst, {
          ...bars.options,
          ...(flags.allTags ? { allTags: true } : {}),
          ...(flags.clobber === false ? { noClobber: true } : {}),
          ...(flags.jobs ? { jobs: flags.jobs } : {}),
          ...(flags.referrers ? { referrers: true } : {}),
        });
        } finally {
          bars.stop();
        }
      }),
    );

  program
    .command('tag')
    .description('Efficiently tag a remote image')
    .argument('<img>')
    .argument('<tag>')
    .action(
      run(async (o, img: string, tag: string) => {
        const crane = await lib();
        await crane.tag(img, tag, o);
      }),
    );

  program
    .command('delete')
    .description('Delete an image reference from its registry')
    .argument('<image>')
    .action(
      run(async (o, image: string) => {
        const crane = await lib();
        await crane.delete(image, o);
      }),
    );

  program
    .command('validate')
    .description('Validate that an image is well-formed')
    .option('--remote <ref>', 'Name of remote image to validate')
    .option('--tarball <path>', 'Path to tarball to validate')
    .option('--fast', 'Skip downloading/digesting layers')
    .action(
      run(async (o, flags: { remote?: string; tarball?: string; fast?: boolean }) => {
        const crane = await lib();
        const remote = await import('../remote/index.ts');
        const validate = await import('../validate/index.ts');
        if (flags.tarball) {
          // As crane: a tarball that cannot be read is an error; one that reads but is inconsistent is a FAIL.
          // --platform picks one image of a multi-platform OCI archive; without it the whole index is validated.
          const item = o.platform ? await crane.load(flags.tarball, { platform: o.platform }) : await crane.loadLocal(flags.tarball);
          try {
            if ('indexManifest' in item) await validate.index(item, { fast: flags.fast === true });
            else await validate.image(item, { fast: flags.fast === true });
            io.stdout(`PASS: ${flags.tarball}\n`);
          } catch (err) {
            io.stdout(`FAIL: ${flags.tarball}: ${(err as Error).message}\n`);
          }
        }
        if (!flags.remote) {
          if (!flags.tarball) throw new Error('one of --remote or --tarball is required');
          return;
        }
        const desc = await remote.get(flags.remote, await crane.remoteOptions(o));
        try {
          if (types.isIndex(desc.mediaType) && !o.platform) await validate.index(await desc.imageIndex(), { fast: flags.fast === true });
          else await validate.image(await desc.image(), { fast: flags.fast === true });
          io.stdout(`PASS: ${flags.remote}\n`);
        } catch (err) {
          io.stdout(`FAIL: ${flags.remote}: ${(err as Error).message}\n`);
        }
      }),
    );
}
