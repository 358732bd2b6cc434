/**
 * @module The `crane` command tree (commander). It only parses and prints: every command calls a
 * function a library user can call too. Later commands hang off `buildProgram`.
 */
import { Command } from 'commander';
import { version } from '../internal/version/index.ts';
import { registerRegistry } from './registry.ts';
import { registerRemoteCommands } from './remote-commands.ts';
import { registerLocalCommands } from './local-commands.ts';
import { addGlobalFlags } from './globals.ts';
import { registerAuthCommands } from './auth-commands.ts';

export interface ProgramIO {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** Raw bytes to stdout (`crane blob`), with backpressure through the callback. */
  readonly stdoutBytes: (b: Buffer, done: (err?: Error | null) => void) => void;
}

const defaultIO: ProgramIO = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stdoutBytes: (b, done) => void process.stdout.write(b, done),
};

/** Builds a fresh program, so tests can run commands in-process with their own output sinks. */
export function buildProgram(io: ProgramIO = defaultIO, hooks: { stdin?: () => Promise<string> } = {}): Command {
  const program = new Command('crane')
    .description('crane is a tool for managing container images')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError(false);

  program
    .command('version')
    .description('Print the version')
    .action(() => {
      io.stdout(`${version()}\n`);
    });

  addGlobalFlags(program);
  registerRemoteCommands(program, io);
  registerLocalCommands(program, io);
  registerAuthCommands(program, io, hooks.stdin);
  registerRegistry(program, io);

  return program;
}
