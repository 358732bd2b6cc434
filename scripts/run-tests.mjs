#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with node:test. Node 20's `--test` takes no
// globs, and given a folder it also runs every .js under any `test/` directory (our harness
// helpers), so the files are listed here explicitly.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('../dist/', import.meta.url).pathname;
const filter = process.argv.slice(2);

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(p);
    else if (entry.name.endsWith('.test.js')) yield p;
  }
}

const files = [...walk(root)]
  .filter((f) => filter.length === 0 || filter.some((x) => relative(root, f).includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files found under dist/: did the build run?');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
