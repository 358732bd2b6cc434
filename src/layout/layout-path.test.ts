// LayoutPath's lower-level writers used on their own: writeIndex (blobs and oci-layout, never
// index.json, as ggcr's `Path.WriteIndex`) and removeBlob (one blob file, references untouched).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { NotFoundError } from '../errors/index.ts';
import * as empty from '../empty/index.ts';
import { descriptor } from '../partial/describe.ts';
import * as random from '../random/index.ts';
import * as types from '../types/index.ts';
import * as validate from '../validate/index.ts';
import { Hash } from '../v1/hash.ts';
import { fromPath, imageIndexFromPath, LayoutPath, write } from './index.ts';
import { listFiles, tempFolder } from './layout.test-fixtures.ts';

test('writeIndex on an empty folder: oci-layout as ggcr writes it, the whole tree as blobs, no index.json', async () => {
  const { dir, cleanup } = await tempFolder('write-index');
  try {
    const idx = random.index(300, 1, 2, { seed: 'write-index', format: 'oci' });
    const lp = new LayoutPath(dir);
    await lp.writeIndex(idx);

    assert.equal(await readFile(join(dir, 'oci-layout'), 'utf8'), '{\n    "imageLayoutVersion": "1.0.0"\n}');
    // The index itself is a blob under its digest, byte for byte; its children and theirs too.
    assert.deepEqual(await readFile(join(dir, 'blobs', 'sha256', (await idx.digest()).hex)), await idx.rawManifest());
    const expected = [await idx.digest()];
    for (const d of (await idx.indexManifest()).manifests) {
      const img = await idx.image(d.digest);
      expected.push(d.digest, await img.configName(), ...(await img.manifest()).layers.map((l) => l.digest));
    }
    assert.deepEqual(await listFiles(dir), [...expected.map((h) => `blobs/sha256/${h.hex}`), 'oci-layout'].sort());

    // Without index.json the folder is not yet a layout, and nothing can be appended to it.
    await assert.rejects(fromPath(dir), NotFoundError);
    await assert.rejects(lp.appendDescriptor(await descriptor(idx)), (e: unknown) => e instanceof NotFoundError && /has no index\.json/.test(e.message));

    // Made a layout, the index already written is one descriptor away, in ggcr's MarshalIndent form.
    await write(dir, empty.index());
    await lp.appendDescriptor(await descriptor(idx));
    assert.equal(
      await readFile(join(dir, 'index.json'), 'utf8'),
      `{\n   "schemaVersion": 2,\n   "mediaType": "${types.OCIImageIndex}",\n   "manifests": [\n      {\n` +
        `         "mediaType": "${types.OCIImageIndex}",\n         "size": ${await idx.size()},\n         "digest": "${await idx.digest()}"\n      }\n   ]\n}`,
    );
    const back = await (await imageIndexFromPath(dir)).imageIndex(await idx.digest());
    assert.ok((await back.digest()).equals(await idx.digest()));
    await validate.index(back);
  } finally {
    await cleanup();
  }
});

test('removeBlob deletes the blob file, leaves index.json alone; removing it again is a no-op', async () => {
  const { dir, cleanup } = await tempFolder('remove-blob');
  try {
    const lp = await write(dir, empty.index());
    const data = Buffer.from('a blob to remove');
    const keep = Buffer.from('a blob to keep');
    const h = Hash.of(data);
    await lp.writeBlob(h, Readable.from([data]));
    await lp.writeBlob(Hash.of(keep), Readable.from([keep]));
    await lp.appendDescriptor({ mediaType: 'application/octet-stream', size: data.length, digest: h });
    const indexBefore = await readFile(join(dir, 'index.json'));

    await lp.removeBlob(h);
    await assert.rejects(stat(join(dir, 'blobs', 'sha256', h.hex)), { code: 'ENOENT' });
    await assert.rejects(lp.blob(h), NotFoundError);
    assert.deepEqual(await lp.bytes(Hash.of(keep)), keep, 'other blobs stay');
    assert.deepEqual(await readFile(join(dir, 'index.json')), indexBefore, 'references to it are not touched');

    // Documented: a missing blob is fine.
    await lp.removeBlob(h);
    await lp.removeBlob(Hash.of('never written'));

    // Any other failure is not swallowed: here the blob's name is a folder.
    const odd = Hash.of('a folder in the way');
    await mkdir(join(dir, 'blobs', 'sha256', odd.hex));
    await assert.rejects(lp.removeBlob(odd), (e: unknown) => ['EISDIR', 'EPERM'].includes((e as NodeJS.ErrnoException).code ?? ''));
  } finally {
    await cleanup();
  }
});
