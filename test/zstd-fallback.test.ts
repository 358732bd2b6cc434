// zstd must work end to end with the native codec absent: reading (validate, decompression)
// through the pure-JS fallback, and writing failing with ERR_ZSTD_UNAVAILABLE. The child process
// runs with CONTAINERREGISTRY_ZSTD=js, which hides zstd-napi from the package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import * as random from '../src/random/index.ts';
import * as types from '../src/types/index.ts';

const src = fileURLToPath(new URL('../src/', import.meta.url));

test('without zstd-napi, zstd layers are read and validated, and zstd writing says what is missing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'zstd-fallback-'));
  try {
    // Made here, with the native codec, so the child only has to read it.
    const layer = random.layer(300_000, types.OCILayerZStd, { seed: 'fallback' });
    const chunks: Buffer[] = [];
    for await (const c of await layer.compressed()) chunks.push(c as Buffer);
    await writeFile(join(dir, 'layer.zst'), Buffer.concat(chunks));
    const script = `
      import { readFileSync } from 'node:fs';
      import { Readable } from 'node:stream';
      const { compressedToLayer } = await import(${JSON.stringify(join(src, 'partial/index.js'))});
      const validate = await import(${JSON.stringify(join(src, 'validate/index.js'))});
      const stream = await import(${JSON.stringify(join(src, 'stream/index.js'))});
      const { zstdBackend } = await import(${JSON.stringify(join(src, 'internal/compression/index.js'))});
      const { Hash } = await import(${JSON.stringify(join(src, 'v1/hash.js'))});
      const blob = readFileSync(${JSON.stringify(join(dir, 'layer.zst'))});
      const l = compressedToLayer({
        digest: async () => Hash.of(blob), size: async () => blob.length,
        mediaType: async () => 'application/vnd.oci.image.layer.v1.tar+zstd',
        compressed: async () => Readable.from([blob]),
      });
      await validate.layer(l);
      const out = { backend: await zstdBackend(), diffID: String(await l.diffID()) };
      try { await stream.newLayer(Readable.from([Buffer.from('x')]), { compression: 'zstd' }).compressed(); out.write = 'no error'; }
      catch (e) { out.write = e.code + ' ' + e.message; }
      console.log(JSON.stringify(out));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, CONTAINERREGISTRY_ZSTD: 'js' },
    });
    const out = JSON.parse(stdout) as { backend: string; diffID: string; write: string };
    assert.equal(out.backend, 'js');
    assert.equal(out.diffID, String(await layer.diffID()));
    assert.match(out.write, /^ERR_ZSTD_UNAVAILABLE .*zstd-napi/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
