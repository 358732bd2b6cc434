import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '../errors/index.ts';
import { chunked, collect, file, tarBytes, tempFolder, writeArchive } from '../internal/archive/archive.test-fixtures.ts';
import { openTarSource } from '../internal/archive/tar-source.ts';
import { image as randomImage, layer as randomLayer } from '../random/index.ts';
import { Tag } from '../name/index.ts';
import * as types from '../types/index.ts';
import * as validate from '../validate/index.ts';
import { Hash } from '../v1/hash.ts';
import { image, imageFromPath, imageFromSource, loadManifest } from './image.ts';
import { classicEntries, imageBytes, type ImageBytes } from './read.test-fixtures.ts';
import { writeToFile } from './write-file.ts';
import { imageOf } from './write.test-fixtures.ts';

let folder: Awaited<ReturnType<typeof tempFolder>>;
let gzipped: ImageBytes;
let zstd: ImageBytes;
let other: ImageBytes;

before(async () => {
  folder = await tempFolder();
  gzipped = await imageBytes(randomImage(3000, 2, { seed: 'classic-gzip' }));
  zstd = await imageBytes(randomImage(2000, 2, { seed: 'classic-zstd', compression: 'zstd', format: 'oci' }));
  other = await imageBytes(randomImage(1000, 1, { seed: 'classic-other' }));
});
after(async () => {
  await folder.cleanup();
});

async function archive(name: string, bytes: Buffer): Promise<string> {
  return writeArchive(folder.dir, name, bytes);
}

describe('classic docker save archives', () => {
  test('compressed layers: the manifest ggcr would build, served as stored, whole and valid', async () => {
    const path = await archive('gz.tar', await tarBytes(classicEntries([{ bytes: gzipped, tags: ['busybox:latest'] }], 'compressed')));
    const img = await imageFromPath(path);
    await validate.image(img);
    assert.equal(await img.mediaType(), types.DockerManifestSchema2);
    // Same config, same gzip files, same Go JSON: the digest the image had before it was saved.
    assert.equal((await img.digest()).toString(), gzipped.digest);
    assert.ok((await img.rawManifest()).equals(gzipped.rawManifest));
    const layers = await img.layers();
    assert.ok((await collect(await layers[1]!.compressed())).equals(gzipped.layers[1]!.compressed));
    assert.equal((await layers[0]!.diffID()).hex, gzipped.layers[0]!.diffIDHex);
  });

  test('zstd layers give an OCI manifest (Docker media types have no zstd)', async () => {
    const path = await archive('zst.tar', await tarBytes(classicEntries([{ bytes: zstd, tags: [] }], 'compressed')));
    const img = await imageFromPath(path);
    await validate.image(img);
    assert.equal(await img.mediaType(), types.OCIManifestSchema1);
    assert.deepEqual((await img.manifest()).layers.map((l) => l.mediaType), [types.OCILayerZStd, types.OCILayerZStd]);
    assert.equal((await img.digest()).toString(), zstd.digest, 'the OCI zstd image saved and read back keeps its digest');
  });

  test('uncompressed layers are gzipped on the fly; config and diffIDs are kept', async () => {
    const path = await archive('plain.tar', await tarBytes(classicEntries([{ bytes: gzipped, tags: ['x/y:z'] }], 'uncompressed')));
    const img = await imageFromPath(path);
    await validate.image(img);
    assert.equal((await img.configName()).hex, gzipped.configHex);
    const layers = await img.layers();
    assert.equal(await layers[0]!.mediaType(), types.DockerLayer);
    assert.ok((await collect(await layers[0]!.uncompressed())).equals(gzipped.layers[0]!.tar));
    const gz = await collect(await layers[0]!.compressed());
    assert.deepEqual([...gz.subarray(0, 2)], [0x1f, 0x8b]);
    assert.equal((await layers[0]!.digest()).toString(), Hash.of(gz).toString());
  });

  test('a plain base under a gzip layer: any compressed file makes the image compressed (ggcr asks the first only)', async () => {
    const base = randomLayer(1200, types.OCIUncompressedLayer, { seed: 'classic-mixed-base' });
    const top = randomLayer(900, types.DockerLayer, { seed: 'classic-mixed-top' });
    const path = join(folder.dir, 'mixed.tar');
    await writeToFile(path, Tag.parse('mixed:1'), await imageOf([base, top]));
    const img = await imageFromPath(path);
    // Each file as stored: ggcr would read the gzip file as the top layer's tar and gzip it again.
    assert.deepEqual(
      (await img.manifest()).layers.map((l) => [l.mediaType, l.digest.toString(), l.size]),
      [
        [types.DockerUncompressedLayer, (await base.digest()).toString(), await base.size()],
        [types.DockerLayer, (await top.digest()).toString(), await top.size()],
      ],
    );
    const layers = await img.layers();
    assert.ok((await collect(await layers[1]!.compressed())).equals(await collect(await top.compressed())));
    await validate.image(img);
  });

  test('podman-style archives, whose layer.tar files are symlinks, are read through the links', async () => {
    const path = await archive('podman.tar', await tarBytes(classicEntries([{ bytes: gzipped, tags: ['localhost/foo:v1'] }], 'podman-links')));
    const img = await imageFromPath(path, { tag: 'localhost/foo:v1' });
    await validate.image(img);
    assert.equal((await img.configName()).hex, gzipped.configHex);
  });

  test('an opener (re-read per file, as ggcr) gives the same image as the path', async () => {
    const bytes = await tarBytes(classicEntries([{ bytes: gzipped, tags: [] }], 'compressed'));
    let opens = 0;
    const img = await image(async () => {
      opens++;
      return chunked(bytes, 4096);
    });
    await validate.image(img);
    assert.equal((await img.digest()).toString(), gzipped.digest);
    assert.ok(opens > 2, `the archive is read again per file (${opens} reads)`);
  });

  test('an opener archive is not read again per layer to learn how the layers are stored', async () => {
    const plain = await imageBytes(randomImage(500, 5, { seed: 'classic-opener-sniff' }));
    const bytes = await tarBytes(classicEntries([{ bytes: plain, tags: [] }], 'uncompressed'));
    let opens = 0;
    const img = await image(async () => {
      opens++;
      return chunked(bytes, 4096);
    });
    const mediaTypes = await Promise.all((await img.layers()).map((l) => l.mediaType()));
    assert.deepEqual(mediaTypes, Array(5).fill(types.DockerLayer));
    // One scan, manifest.json, the config; the layer files' first bytes come from the scan.
    assert.equal(opens, 3, `the archive was read ${opens} times for 5 layers`);
  });

  test('loadManifest returns manifest.json from a source or an opener', async () => {
    const bytes = await tarBytes(classicEntries([{ bytes: gzipped, tags: ['a:1', 'b:2'] }], 'compressed'));
    const path = await archive('lm.tar', bytes);
    const m = await loadManifest(await openTarSource(path));
    assert.deepEqual(m[0]?.RepoTags, ['a:1', 'b:2']);
    assert.deepEqual(await loadManifest(async () => chunked(bytes)), m);
  });
});

describe('several images in one archive', () => {
  let path: string;
  before(async () => {
    const entries = classicEntries(
      [
        { bytes: gzipped, tags: ['busybox:latest', 'registry.example/team/app:v2'] },
        { bytes: other, tags: ['localhost:5000/other:1.0'] },
      ],
      'compressed',
    );
    path = await archive('multi.tar', await tarBytes(entries));
  });

  test('a tag picks its image after normalisation, as ggcr compares Tag.Name()', async () => {
    const source = await openTarSource(path);
    for (const tag of ['busybox', 'busybox:latest', 'docker.io/library/busybox', 'index.docker.io/library/busybox:latest', 'registry.example/team/app:v2']) {
      assert.equal((await (await imageFromSource(source, { tag })).digest()).toString(), gzipped.digest, tag);
    }
    assert.equal((await (await imageFromSource(source, { tag: 'localhost:5000/other:1.0' })).digest()).toString(), other.digest);
  });

  test('without a tag the archive must hold one image; the error lists them', async () => {
    await assert.rejects(imageFromPath(path), (e: unknown) => {
      assert.ok(e instanceof InvalidArgumentError);
      assert.match(e.message, /holds 2 images; pass a tag to choose one: \[0\] busybox:latest, registry.example\/team\/app:v2; \[1\] localhost:5000\/other:1.0/);
      return true;
    });
  });

  test('a tag that is not there is NotFoundError listing what is', async () => {
    await assert.rejects(imageFromPath(path, { tag: 'busybox:1.36' }), (e: unknown) => {
      assert.ok(e instanceof NotFoundError);
      assert.match(e.message, /tag busybox:1.36 \(index.docker.io\/library\/busybox:1.36\) not found in archive .*multi.tar; it holds \[0\] busybox:latest/);
      return true;
    });
  });

  test('an untagged image is listed by its config', async () => {
    const p = await archive('untagged.tar', await tarBytes(classicEntries([{ bytes: gzipped, tags: [] }, { bytes: other, tags: [] }], 'compressed')));
    await assert.rejects(imageFromPath(p), new RegExp(`\\[0\\] \\(no tags, config ${gzipped.configHex}.json\\)`));
  });

  test('an empty manifest.json is a BadDocumentError', async () => {
    const p = await archive('empty.tar', await tarBytes([file('manifest.json', '[]')]));
    await assert.rejects(imageFromPath(p), /manifest.json of archive .* lists no images/);
  });
});
