// A layer that cannot tell its uncompressed size is read once (spooled), not twice as ggcr reads
// it; the spool file is private and gone afterwards, on success and on failure.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { delegateImage, delegateLayer } from '../v1/delegate.test-fixtures.ts';
import * as random from '../random/index.ts';
import { Tag } from '../name/index.ts';
import type { Image, Layer } from '../v1/interfaces.ts';
import { write } from './write.ts';

// A temp folder of this file's own (each test file runs in its own process): other files running
// at the same time spool into the shared one, and this file counts what is left behind.
process.env['TMPDIR'] = mkdtempSync(join(tmpdir(), 'legacy-spool-test-'));
after(() => rmSync(process.env['TMPDIR']!, { recursive: true, force: true }));
const spools = async () => (await readdir(tmpdir())).filter((n) => n.startsWith('containerregistry-legacy-'));

/** `img` whose layers cannot tell their uncompressed size, counting uncompressed reads. */
function counted(img: Image, reads: { n: number }, corrupt = false): Image {
  const wrap = (l: Layer): Layer => ({
    ...delegateLayer(l),
    uncompressed: async (o) => {
      reads.n++;
      const s = await l.uncompressed(o);
      if (!corrupt) return s;
      const chunks: Buffer[] = [];
      for await (const c of s) chunks.push(c as Buffer);
      const bytes = Buffer.concat(chunks);
      bytes[600] = bytes[600]! ^ 1;
      return Readable.from([bytes]);
    },
  });
  return { ...delegateImage(img), layers: async () => (await img.layers()).map(wrap) };
}

async function drain(s: Readable): Promise<number> {
  let n = 0;
  await pipeline(s, new Writable({ write: (c: Buffer, _e, cb) => ((n += c.length), cb()) }));
  return n;
}

test('each layer is read once, and the spool files are gone after the archive is written', async () => {
  const before = await spools();
  const reads = { n: 0 };
  const img = random.image(300_000, 3, { seed: 'legacy-spool' });
  const n = await drain(write(Tag.parse('example.test/spool:v1'), counted(img, reads)));
  assert.ok(n > 900_000);
  assert.equal(reads.n, 3, 'one uncompressed read per layer');
  assert.deepEqual(await spools(), before);
});

test('a layer whose tar does not match its diffID fails the archive and leaves no spool file', async () => {
  const before = await spools();
  const img = random.image(50_000, 2, { seed: 'legacy-spool-bad' });
  await assert.rejects(drain(write(Tag.parse('example.test/spool:bad'), counted(img, { n: 0 }, true))), { code: 'ERR_DIGEST_MISMATCH' });
  assert.deepEqual(await spools(), before);
});
