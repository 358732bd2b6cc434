// Importing the transport must not load undici (~100 ms): commands that never touch the network
// should not pay for it. Checked in a fresh process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('importing the transport leaves undici unloaded until the first request', () => {
  const compiled = import.meta.url.endsWith('.js');
  const entry = fileURLToPath(new URL(compiled ? './index.js' : './index.ts', import.meta.url));
  const script = `
    import { createRequire } from 'node:module';
    const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('/node_modules/undici/'));
    const mod = await import(${JSON.stringify(entry)});
    if (typeof mod.newTransport !== 'function') throw new Error('no newTransport');
    const before = loaded();
    await import('undici');
    console.log(JSON.stringify({ before, after: loaded() }));
  `;
  const args = [...(compiled ? [] : ['--import', 'tsx']), '--input-type=module', '-e', script];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: fileURLToPath(new URL('.', import.meta.url)) });
  assert.equal(r.status, 0, r.stderr);
  const line = r.stdout.trim().split('\n').at(-1)!;
  // `after` proves the probe can see undici once it is loaded.
  assert.deepEqual(JSON.parse(line), { before: false, after: true });
});
