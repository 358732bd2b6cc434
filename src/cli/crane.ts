#!/usr/bin/env node
/**
 * @module The `crane` executable: runs the command tree and turns errors into crane's
 * `Error: …` line and exit status 1.
 */
import { setFlagsFromString } from 'node:v8';

// A copy streams hundreds of MiB through 64 KiB buffers; with V8's default 16 MiB semi-spaces
// those buffers pile up between scavenges (~30 MiB of dead ArrayBuffers at a time). Small
// semi-spaces collect them sooner: measured -25 MiB peak RSS on a 600 MiB copy, same speed.
setFlagsFromString('--max-semi-space-size=2');
// undici parses HTTP with llhttp compiled to WebAssembly; V8's optimising tier for it costs
// ~35 MiB of resident memory on first use. The baseline compiler alone keeps a copy's peak
// RSS ~35 MiB lower at no measurable speed cost (HTTP parsing is a sliver of the work).
setFlagsFromString('--liftoff-only');
const { startBufferReclaimer } = await import('./buffer-reclaimer.ts');
startBufferReclaimer();
const { buildProgram } = await import('./program.ts');

const program = buildProgram();
program.exitOverride();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  const e = err as { code?: string; exitCode?: number; message?: string; name?: string };
  // The command already printed its answer (e.g. `auth get` with no credentials).
  if (e.name === 'SilentExit' || err?.constructor?.name === 'SilentExit') process.exit(e.exitCode ?? 1);
  // commander reports help and version displays as exits with code 0; pass those through.
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) process.exit(e.exitCode ?? 1);
  process.stderr.write(`Error: ${e.message ?? String(err)}\n`);
  process.exit(1);
}
