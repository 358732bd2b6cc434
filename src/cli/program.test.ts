import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildProgram } from './program.ts';
import { craneEntry } from '../../test/harness/crane-cli.ts';

const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string; bin: Record<string, string> };

test('crane version prints the package version', async () => {
  let out = '';
  const program = buildProgram({ stdout: (s) => (out += s), stderr: () => {}, stdoutBytes: (_b, done) => done() });
  await program.parseAsync(['version'], { from: 'user' });
  assert.equal(out, `${pkg.version}\n`);
});

test('the crane binary runs and exits 1 with an Error line for unknown commands', async () => {
  const bin = craneEntry();
  // What the tests run is what npm links as `crane`: the bundle, starting with its shebang.
  assert.equal(bin, fileURLToPath(new URL(pkg.bin['crane']!, new URL('../../../package.json', import.meta.url))));
  assert.match(readFileSync(bin, 'utf8').slice(0, 40), /^#!\/usr\/bin\/env node\n/);
  const run = promisify(execFile);
  const ok = await run(process.execPath, [bin, 'version']);
  assert.equal(ok.stdout, `${pkg.version}\n`);
  await assert.rejects(run(process.execPath, [bin, 'no-such-command']), (err: { code?: number; stderr?: string }) => {
    assert.equal(err.code, 1);
    assert.match(err.stderr ?? '', /unknown command/);
    return true;
  });
});
