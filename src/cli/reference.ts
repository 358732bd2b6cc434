/**
 * @module The crane command reference (docs/crane.md), rendered from the program itself so it
 * cannot drift from what `--help` says: every command and subcommand with its usage, arguments,
 * options and defaults, then the global flags. `npm run docs` writes it; a test checks it is current.
 */
import type { Command, Option } from 'commander';
import { buildProgram } from './program.ts';

function optionLine(o: Option): string {
  const dflt = o.defaultValue === undefined || o.defaultValue === false ? '' : ` (default: ${JSON.stringify(o.defaultValue)})`;
  return `| \`${o.flags}\` | ${o.description.replace(/\|/g, '\\|')}${dflt} |`;
}

function section(cmd: Command, path: string[], out: string[]): void {
  const name = [...path, cmd.name()].join(' ');
  const subs = cmd.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
  out.push(`## crane ${name}`, '', cmd.description(), '');
  if (subs.length === 0 || cmd.registeredArguments.length > 0) {
    out.push('```', `crane ${name} ${cmd.usage()}`, '```', '');
  }
  const args = cmd.registeredArguments.filter((a) => a.description);
  if (args.length > 0) {
    out.push('| argument | meaning |', '|---|---|');
    for (const a of args) out.push(`| \`${a.name()}${a.variadic ? '...' : ''}\` | ${a.description} |`);
    out.push('');
  }
  // Hidden options (crane's deprecated ones) stay out of the reference, as out of `--help`.
  const options = cmd.options.filter((o) => !o.hidden);
  if (options.length > 0) {
    out.push('| option | meaning |', '|---|---|', ...options.map(optionLine), '');
  }
  for (const s of subs) section(s, [...path, cmd.name()], out);
}

/** The whole reference as Markdown. */
export function renderReference(): string {
  const program = buildProgram({ stdout: () => {}, stderr: () => {}, stdoutBytes: (_b, done) => done() });
  const out = [
    '# crane command reference',
    '',
    'Generated from the CLI by `npm run docs`; `crane <command> --help` prints the same.',
    'Results go to stdout, logs to stderr; a failure prints `Error: …` and exits 1, as crane does.',
    '',
    '## Global flags',
    '',
    '| option | meaning |',
    '|---|---|',
    ...program.options.map(optionLine),
    '',
  ];
  for (const c of program.commands) section(c, [], out);
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
