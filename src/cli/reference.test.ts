// docs/crane.md is the reference users read: it must say what the CLI does now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderReference } from './reference.ts';

test('docs/crane.md is current (regenerate with `npm run docs`)', () => {
  const path = fileURLToPath(new URL('../../../docs/crane.md', import.meta.url));
  assert.equal(readFileSync(path, 'utf8'), renderReference(), 'docs/crane.md is stale: run `npm run docs`');
});

test('the reference names every command crane users script against', () => {
  const doc = renderReference();
  for (const c of ['digest', 'manifest', 'config', 'blob', 'ls', 'catalog', 'copy', 'tag', 'delete', 'validate', 'pull', 'push', 'index list', 'layout gc', 'auth login', 'auth get', 'auth token', 'registry serve']) {
    assert.ok(doc.includes(`## crane ${c}\n`), `crane ${c} is documented`);
  }
  assert.ok(doc.includes('| `--format <format>` |'), 'options are listed with their flags');
});
