/**
 * @module crane's global flags (`--insecure`, `--platform`, `-v`, `--allow-nondistributable-artifacts`)
 * turned into library options, and the `[WARNING]` lines crane prints for `Warning` headers.
 */
import type { Command } from 'commander';
import { Platform } from '../v1/platform.ts';
import type { CraneOptions } from '../crane/options.ts';
import { version } from '../internal/version/index.ts';
import type { ProgramIO } from './program.ts';

export interface GlobalFlags {
  readonly insecure?: boolean;
  readonly platform?: string[];
  readonly verbose?: boolean;
  readonly allowNondistributableArtifacts?: boolean;
}

/** Adds the global flags to the root command. */
export function addGlobalFlags(program: Command): void {
  program
    .option('--insecure', 'Allow image references to be fetched without TLS (and skip TLS verification)')
    .option(
      '--platform <platform>',
      'Specifies the platform in the form os/arch[/variant][:osversion] (e.g. linux/amd64); copy takes several (repeatable, comma-separated)',
      (v: string, prev: string[] = []) => [...prev, ...v.split(',').filter(Boolean)],
    )
    .option('-v, --verbose', 'Enable debug logs')
    .option('--allow-nondistributable-artifacts', 'Allow pushing non-distributable (foreign) layers');
}

/** Library options for a command: flags, user agent, logs and warnings to stderr. */
export function optionsFrom(cmd: Command, io: ProgramIO): CraneOptions & { warnings: Set<string> } {
  const g = cmd.optsWithGlobals() as GlobalFlags;
  const warnings = new Set<string>();
  const o: Record<string, unknown> = {
    userAgent: `crane/${version()}`,
    log: (line: string) => io.stderr(`${line}\n`),
    onWarning: (text: string) => warnings.add(text),
    warnings,
  };
  if (g.insecure) o['insecure'] = true;
  // Repeatable (crane's is one value; `copy` takes several): commands that want one image use the first.
  const platforms = (g.platform ?? []).filter((p) => p !== 'all').map((p) => Platform.parse(p));
  if (platforms.length > 0) o['platform'] = platforms[0];
  if (platforms.length > 1) o['platforms'] = platforms;
  if (g.verbose) o['logger'] = (line: string) => io.stderr(`${line}\n`);
  if (g.allowNondistributableArtifacts) o['allowNondistributableArtifacts'] = true;
  return o as unknown as CraneOptions & { warnings: Set<string> };
}

/** Prints each distinct registry warning once, as crane does at the end of a command. */
export function printWarnings(warnings: Set<string>, io: ProgramIO): void {
  const color = !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb' && process.stderr.isTTY;
  for (const w of warnings) io.stderr(color ? `\x1b[33m[WARNING]\x1b[0m: ${w}\n` : `[WARNING]: ${w}\n`);
}

/** The options a command body receives. */
export type CommandOptions = ReturnType<typeof optionsFrom>;

/**
 * Wraps a command body: builds its options from the flags, runs it, and prints the registry's
 * warnings at the end whether it succeeded or not (crane's behaviour).
 */
export function commandRunner(io: ProgramIO) {
  return (fn: (o: CommandOptions, ...args: never[]) => Promise<void>) =>
    async function (this: Command, ...args: unknown[]): Promise<void> {
      const o = optionsFrom(this, io);
      try {
        await (fn as (o: unknown, ...a: unknown[]) => Promise<void>)(o, ...args);
      } finally {
        printWarnings(o.warnings, io);
      }
    };
}
