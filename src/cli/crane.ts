#!/usr/bin/env node
/**
 * @module The `crane` executable: runs the command tree and turns errors into crane's
 * `Error: …` line and exit status 1.
 */
import { buildProgram } from './program.ts';

const program = buildProgram();
program.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  const e = err as { code?: string; exitCode?: number; message?: string };
  // commander reports help and version displays as exits with code 0; pass those through.
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) process.exit(e.exitCode ?? 1);
  process.stderr.write(`Error: ${e.message ?? String(err)}\n`);
  process.exit(1);
}
