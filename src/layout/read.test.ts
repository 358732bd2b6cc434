import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import * as random from '../random/index.ts';
import { empty } from '../index.ts';
import { BadDocumentError, NotFoundError, TooLargeError } from '../errors/index.ts';
import { Hash } from '../v1/hash.ts';
import { dirSource } from '../internal/archive/dir-source.ts';
import type { FileSource } from '../internal/archive/file-source.ts';
import { fromFileSource, imageIndexFromPath, write } from './index.ts';
import { drain, tempFolder } from './layout.test-fixtures.ts';

async function oneImageLayout(label: string) {
  const folder = await tempFolder(label);
  const img = random.image(1024, 2, { seed: label });
  const lp = await write(folder.dir, empty.index());
  await lp.appendImage(img);
  return { ...folder, lp, img };
}

test('a corrupted layer on disk fails its read with DigestMismatchError', async () => {
  const { dir, cleanup, lp, img } = await oneImageLayout('corrupt');
  try {
    const layer = (await img.layers())[1]!;
    const path = join(dir, 'blobs', 'sha256', (await layer.digest()).hex);
    const bytes = await readFile(path);
    bytes[bytes.length - 5]! ^= 0xff;
    await writeFile(path, bytes);
    const back = await lp.image(await img.digest());
    const l = (await back.layers())[1]!;
    const hex = (await layer.digest()).hex;
    await assert.rejects(drain(await l.compressed()), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_DIGEST_MISMATCH');
      assert.match(err.message, new RegExp(hex));
      return true;
    });
    await assert.rejects(lp.bytes(await layer.digest()), { code: 'ERR_DIGEST_MISMATCH' });
    // The other layer is intact and reads fine.
    assert.equal((await drain(await (await back.layers())[0]!.compressed())).length, await (await img.layers())[0]!.size());
  } finally {
    await cleanup();
  }
});

test('a truncated config fails with SizeMismatchError', async () => {
  const { dir, cleanup, lp, img } = await oneImageLayout('truncated');
  try {
    const path = join(dir, 'blobs', 'sha256', (await img.configName()).hex);
    await writeFile(path, (await readFile(path)).subarray(0, 10));
    await assert.rejects((await lp.image()).rawConfigFile(), { code: 'ERR_SIZE_MISMATCH' });
  } finally {
    await cleanup();
  }
});

test('a blob that is a link out of the layout is refused', async () => {
  const { dir, cleanup, lp, img } = await oneImageLayout('symlink');
  try {
    const secret = join(dir, '..', `${Hash.of(dir).hex.slice(0, 8)}-secret.txt`);
    await writeFile(secret, 'do not read me');
    try {
      const layer = (await img.layers())[0]!;
      const path = join(dir, 'blobs', 'sha256', (await layer.digest()).hex);
      await rm(path);
      await symlink(secret, path);
      const l = (await (await lp.image()).layers())[0]!;
      await assert.rejects(l.compressed(), { code: 'ERR_UNSAFE_PATH' });
      await assert.rejects(lp.blob(await layer.digest()), { code: 'ERR_UNSAFE_PATH' });
      // Copying the image elsewhere must not carry the secret along either.
      const out = await tempFolder('symlink-out');
      try {
        const target = await write(out.dir, empty.index());
        await assert.rejects(target.appendImage(await lp.image()), { code: 'ERR_UNSAFE_PATH' });
      } finally {
        await out.cleanup();
      }
    } finally {
      await rm(secret, { force: true });
    }
  } finally {
    await cleanup();
  }
});

test('a malformed index.json is a BadDocumentError naming the file and the path in it', async () => {
  const { dir, cleanup } = await tempFolder('malformed');
  try {
    await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'x', size: 1, digest: 'sha256:zz' }] }));
    await assert.rejects(imageIndexFromPath(dir), (err: unknown) => {
      assert.ok(err instanceof BadDocumentError);
      assert.equal(err.path, 'manifests[0].digest');
      assert.match(err.message, /index\.json of /);
      assert.match(err.message, new RegExp(dir.replace(/[/\\]/g, '.')));
      return true;
    });
    await writeFile(join(dir, 'index.json'), '{"schemaVersion": 2, "manifests": [');
    await assert.rejects(imageIndexFromPath(dir), { code: 'ERR_BAD_DOCUMENT', message: /not valid JSON.*index\.json/ });
  } finally {
    await cleanup();
  }
});

test('index.json is read once, with no stat first; a layout without one is a NotFoundError saying so', async () => {
  const { dir, cleanup, img } = await oneImageLayout('index-once');
  try {
    const folder = dirSource(dir);
    const calls: string[] = [];
    const source: FileSource = {
      description: folder.description,
      stat: (name, o) => (calls.push(`stat ${name}`), folder.stat(name, o)),
      open: (name, o) => (calls.push(`open ${name}`), folder.open(name, o)),
      readFile: (name, o) => (calls.push(`readFile ${name}`), folder.readFile(name, o)),
    };
    const idx = await fromFileSource(source);
    assert.ok((await idx.indexManifest()).manifests[0]!.digest.equals(await img.digest()));
    // fromFileSource requires the oci-layout of any source, a folder included.
    assert.deepEqual(calls, ['readFile oci-layout', 'readFile index.json']);
    await rm(join(dir, 'index.json'));
    await assert.rejects(fromFileSource(source), (err: unknown) => {
      assert.ok(err instanceof NotFoundError, String(err));
      assert.equal(err.message, `${dir} is not an OCI image layout: it has no index.json`);
      return true;
    });
  } finally {
    await cleanup();
  }
});

test('a descriptor claiming a huge manifest is refused before anything is read', async () => {
  const { dir, cleanup } = await tempFolder('huge');
  try {
    const d = { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 200 * 1024 * 1024, digest: String(Hash.of('x')) };
    await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [d] }));
    const idx = await imageIndexFromPath(dir);
    await assert.rejects((await idx.image()).rawManifest(), { code: 'ERR_TOO_LARGE' });
  } finally {
    await cleanup();
  }
});

test('a child index that is missing or too large is named by kind, digest and layout', async () => {
  const { dir, cleanup } = await tempFolder('child-index');
  try {
    const missing = { mediaType: 'application/vnd.oci.image.index.v1+json', size: 10, digest: String(Hash.of('not here')) };
    const huge = { ...missing, size: 200 * 1024 * 1024, digest: String(Hash.of('huge')) };
    await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [missing, huge] }));
    const idx = await imageIndexFromPath(dir);
    const where = dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await assert.rejects(idx.imageIndex(Hash.parse(missing.digest)), (err: unknown) => {
      assert.ok(err instanceof NotFoundError, String(err));
      assert.match(err.message, new RegExp(`^index ${missing.digest} in ${where}: "blobs/sha256/${missing.digest.slice(7)}" is not in ${where}$`));
      return true;
    });
    await assert.rejects(idx.imageIndex(Hash.parse(huge.digest)), (err: unknown) => {
      assert.ok(err instanceof TooLargeError, String(err));
      assert.match(err.message, new RegExp(`^index ${huge.digest} in ${where} is ${huge.size} bytes`));
      return true;
    });
  } finally {
    await cleanup();
  }
});

test('children of unknown media types stay descriptors; blob() serves them verified', async () => {
  const { dir, cleanup } = await tempFolder('unknown');
  try {
    const body = Buffer.from('opaque');
    const lp = await write(dir, empty.index());
    await lp.writeBlob(Hash.of(body), Readable.from([body]));
    await lp.appendDescriptor({ mediaType: 'application/x-thing', size: body.length, digest: Hash.of(body), annotations: { k: 'v' } });
    const idx = await lp.imageIndex();
    const [d] = (await idx.indexManifest()).manifests;
    assert.equal(d!.mediaType, 'application/x-thing');
    assert.deepEqual(d!.annotations, { k: 'v' });
    assert.deepEqual(await drain(await idx.blob(d!.digest)), body);
  } finally {
    await cleanup();
  }
});
