// The package's public surface: every `exports` entry must exist after the build and load, and
// every public folder under src/ must have an entry (hono's validate-exports idea).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
};
// Folders that are deliberately not public: internals and the CLI's own code.
const privateFolders = new Set(['internal', 'cli']);

test('every exports entry exists in dist and loads', async () => {
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (typeof target === 'string') {
      assert.ok(existsSync(join(root, target)), `${key} → ${target} is missing`);
      continue;
    }
    assert.ok(existsSync(join(root, target.default)), `${key} → ${target.default} is missing`);
    assert.ok(existsSync(join(root, target.types)), `${key} → ${target.types} is missing`);
    const mod = (await import(join(root, target.default))) as Record<string, unknown>;
    assert.ok(Object.keys(mod).length > 0, `${key} exports nothing`);
  }
});

test('every public folder under src has an exports entry, and self-import by name works', async () => {
  const folders = readdirSync(join(root, 'src'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !privateFolders.has(d.name))
    .map((d) => d.name);
  for (const f of folders) assert.ok(pkg.exports[`./${f}`], `src/${f} has no "./${f}" entry in package.json exports`);
  const { name } = (await import('containerregistry')) as { name: { parseReference: (s: string) => { name(): string } } };
  assert.equal(name.parseReference('alpine').name(), 'index.docker.io/library/alpine:latest');
});
