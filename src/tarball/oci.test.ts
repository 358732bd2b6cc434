import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BadDocumentError, DigestMismatchError, InvalidArgumentError, NotFoundError, UnexpectedMediaTypeError } from '../errors/index.ts';
import { chunked, collect, file, tarBytes, tempFolder, writeArchive } from '../internal/archive/archive.test-fixtures.ts';
import type { FileSource } from '../internal/archive/file-source.ts';
import { openerTarSource } from '../internal/archive/opener-source.ts';
import { openTarSource } from '../internal/archive/tar-source.ts';
import { image as randomImage } from '../random/index.ts';
import * as types from '../types/index.ts';
import * as validate from '../validate/index.ts';
import { Hash } from '../v1/hash.ts';
import type { ImageIndex, WithDescriptor } from '../v1/interfaces.ts';
import { marshalManifest } from '../internal/gojson/index.ts';
import { fromFileSource } from '../layout/index.ts';
import { parseManifest } from '../v1/manifest.ts';
import { imageFromPath, imageFromSource, imageIndexFromPath, indexFromSource, soleIndexFromSource } from './image.ts';
import { blobEntries, classicEntries, imageBytes, indexEntry, indexJson, nestedIndex, ociEntries, type ImageBytes } from './read.test-fixtures.ts';

let folder: Awaited<ReturnType<typeof tempFolder>>;
let plain: ImageBytes;
let gz: ImageBytes;
let arm: ImageBytes;

before(async () => {
  folder = await tempFolder();
  // Docker ≥ 25 stores layers uncompressed under OCI media types.
  plain = await imageBytes(randomImage(2500, 2, { seed: 'oci-plain', compression: 'none', format: 'oci' }));
  gz = await imageBytes(randomImage(1500, 1, { seed: 'oci-gz', format: 'oci' }));
  arm = await imageBytes(randomImage(1500, 1, { seed: 'oci-arm', format: 'oci', platform: { os: 'linux', architecture: 'arm64' } }));
});
after(async () => {
  await folder.cleanup();
});

const CONTAINERD = 'io.containerd.image.name';
const REF = 'org.opencontainers.image.ref.name';

let n = 0;
async function archivePath(entries: Parameters<typeof tarBytes>[0]): Promise<string> {
  return writeArchive(folder.dir, `oci-${n++}.tar`, await tarBytes(entries));
}

describe('OCI-layout archives', () => {
  test('a single image keeps its stored manifest and digest, and validates', async () => {
    const path = await archivePath(ociEntries(indexJson([indexEntry(plain, { [REF]: 'localhost/foo:v1' })]), blobEntries([plain])));
    const img = await imageFromPath(path);
    await validate.image(img);
    assert.equal((await img.digest()).toString(), plain.digest);
    assert.ok((await img.rawManifest()).equals(plain.rawManifest));
    assert.equal(await img.mediaType(), types.OCIManifestSchema1);
    const [layer] = await img.layers();
    assert.equal(await layer!.mediaType(), types.OCIUncompressedLayer);
    assert.equal((await layer!.digest()).hex, plain.layers[0]!.diffIDHex, 'an uncompressed layer is its own diffID');
    const desc = await (img as unknown as WithDescriptor).descriptor();
    assert.equal(desc.annotations?.[REF], 'localhost/foo:v1', 'the index.json entry is the image descriptor');
  });

  test('Docker ≥ 25 layout: chosen by the containerd name or by manifest.json RepoTags, original manifest kept', async () => {
    const layerSources = Object.fromEntries(
      plain.layers.map((l) => [`sha256:${l.diffIDHex}`, { mediaType: types.OCIUncompressedLayer, size: l.tar.length, digest: `sha256:${l.diffIDHex}` }]),
    );
    const manifestJson = JSON.stringify([
      { Config: `blobs/sha256/${plain.configHex}`, RepoTags: ['busybox:latest'], Layers: plain.layers.map((l) => `blobs/sha256/${l.diffIDHex}`), LayerSources: layerSources },
      { Config: `blobs/sha256/${gz.configHex}`, RepoTags: ['example.com/gz:1'], Layers: gz.layers.map((l) => `blobs/sha256/${l.digestHex}`) },
    ]);
    const named = await archivePath(
      ociEntries(
        indexJson([indexEntry(plain, { [CONTAINERD]: 'docker.io/library/busybox:latest', [REF]: 'latest' }), indexEntry(gz, { [CONTAINERD]: 'example.com/gz:1', [REF]: '1' })]),
        blobEntries([plain, gz]),
        [file('manifest.json', manifestJson)],
      ),
    );
    const img = await imageFromPath(named, { tag: 'busybox' });
    assert.equal((await img.digest()).toString(), plain.digest);
    await validate.image(img);
    // The same archive with index.json entries that carry no names: manifest.json's RepoTags lead to the config.
    const unnamed = await archivePath(ociEntries(indexJson([indexEntry(plain), indexEntry(gz)]), blobEntries([plain, gz]), [file('manifest.json', manifestJson)]));
    assert.equal((await (await imageFromPath(unnamed, { tag: 'example.com/gz:1' })).digest()).toString(), gz.digest);
    assert.equal((await (await imageFromPath(unnamed, { tag: 'busybox:latest' })).digest()).toString(), plain.digest);
    await assert.rejects(imageFromPath(unnamed), (e: unknown) => e instanceof InvalidArgumentError && /holds 2 images; pass a tag/.test(e.message));
    // Found by its config, the manifest is handed on, not read again (another pass over an opener archive).
    const { source, read } = await recordingOpener(await tarBytes(ociEntries(indexJson([indexEntry(plain), indexEntry(gz)]), blobEntries([plain, gz]), [file('manifest.json', manifestJson)])));
    const viaTags = await imageFromSource(source, { tag: 'example.com/gz:1' });
    assert.ok((await viaTags.rawManifest()).equals(gz.rawManifest));
    assert.equal(read.filter((name) => name === `blobs/sha256/${gz.digest.slice('sha256:'.length)}`).length, 1);
  });

  test('Docker ≥ 25 manifest.json read the classic way: LayerSources checked, not taken for foreign layers', async () => {
    const sources = (size: (l: ImageBytes['layers'][number]) => number) =>
      Object.fromEntries(plain.layers.map((l) => [`sha256:${l.diffIDHex}`, { mediaType: types.OCIUncompressedLayer, size: size(l), digest: `sha256:${l.diffIDHex}` }]));
    const entry = (size: (l: ImageBytes['layers'][number]) => number) =>
      JSON.stringify([{ Config: `blobs/sha256/${plain.configHex}`, RepoTags: ['a:b'], Layers: plain.layers.map((l) => `blobs/sha256/${l.diffIDHex}`), LayerSources: sources(size) }]);
    const good = await archivePath([...blobEntries([plain]), file('manifest.json', entry((l) => l.tar.length))]);
    const img = await imageFromPath(good);
    await validate.image(img);
    const m = await img.manifest();
    assert.equal(m.layers[0]!.mediaType, types.DockerLayer, 'compressed on the fly like any uncompressed layer file');
    assert.equal(m.layers[0]!.urls, undefined);
    const bad = await archivePath([...blobEntries([plain]), file('manifest.json', entry((l) => l.tar.length + 1))]);
    await assert.rejects(imageFromPath(bad), (e: unknown) => e instanceof BadDocumentError && /LayerSources\["sha256:[0-9a-f]{64}"\] of manifest.json \[0\] .* says layer 0 is \d+ bytes, but "blobs\/sha256\/[0-9a-f]{64}" is \d+/.test(e.message));
  });

  test('a nested index resolves to the one image present, or by platform', async () => {
    const amd = gz;
    const children = [indexEntry(amd, undefined, { os: 'linux', architecture: 'amd64' }), indexEntry(arm, undefined, { os: 'linux', architecture: 'arm64' })];
    const nested = nestedIndex(children);
    const top = { mediaType: types.OCIImageIndex, size: nested.length, digest: Hash.of(nested), annotations: { [CONTAINERD]: 'example.com/multi:1' } };
    // ctr exports the whole index but only the current platform's blobs.
    const onlyArm = await archivePath(ociEntries(indexJson([top]), blobEntries([arm], [nested]), []));
    const img = await imageFromPath(onlyArm, { tag: 'example.com/multi:1' });
    assert.equal((await img.digest()).toString(), arm.digest);
    await assert.rejects(imageFromPath(onlyArm, { platform: 'linux/amd64' }), (e: unknown) => e instanceof NotFoundError && /lists .* for linux\/amd64, but the archive does not hold it/.test(e.message));
    const both = await archivePath(ociEntries(indexJson([top]), blobEntries([amd, arm], [nested])));
    await assert.rejects(imageFromPath(both), (e: unknown) => e instanceof InvalidArgumentError && /holds 2 images .*linux\/amd64.*linux\/arm64.*pass a platform/.test(e.message));
    assert.equal((await (await imageFromPath(both, { platform: 'linux/arm64' })).digest()).toString(), arm.digest);
    const idx = await imageIndexFromPath(both);
    await validate.index(idx);
    const child = (await idx.imageIndex(Hash.of(nested))) as ImageIndex & WithDescriptor;
    assert.equal((await (await child.image(Hash.parse(amd.digest))).configName()).hex, amd.configHex);
  });

  /** An opener archive over `bytes` that records the files read and counts passes over the archive. */
  async function recordingOpener(bytes: Buffer): Promise<{ source: FileSource; read: string[]; passes: () => number }> {
    let passes = 0;
    const archive = openerTarSource(async () => {
      passes++;
      return chunked(bytes);
    });
    const read: string[] = [];
    const source: FileSource = {
      description: archive.description,
      stat: (name, o) => archive.stat(name, o),
      open: (name, o) => (read.push(name), archive.open(name, o)),
      readFile: (name, o) => (read.push(name), archive.readFile(name, o)),
    };
    return { source, read, passes: () => passes };
  }

  test('soleIndexFromSource reads each document of an opener archive once', async () => {
    const children = [indexEntry(gz, undefined, { os: 'linux', architecture: 'amd64' }), indexEntry(arm, undefined, { os: 'linux', architecture: 'arm64' })];
    const nested = nestedIndex(children);
    // An entry without a media type makes the reader look into the document to tell what it is.
    for (const mediaType of [types.OCIImageIndex, '']) {
      const bytes = await tarBytes(ociEntries(indexJson([{ mediaType, size: nested.length, digest: Hash.of(nested) }]), blobEntries([gz, arm], [nested])));
      const { source, read, passes } = await recordingOpener(bytes);
      const idx = await soleIndexFromSource(source);
      assert.ok(idx, 'the archive holds the whole index');
      assert.ok((await idx.rawManifest()).equals(nested));
      const blob = (b: Buffer | string) => `blobs/sha256/${typeof b === 'string' ? b.slice('sha256:'.length) : Hash.of(b).hex}`;
      assert.deepEqual(read.sort(), ['oci-layout', 'index.json', blob(nested), blob(gz.digest), blob(arm.digest)].sort(), `media type ${JSON.stringify(mediaType)}`);
      assert.equal(passes(), 1 + read.length, 'one scan, then one pass per file read');
    }
  });

  test('an image read from an opener archive reads its manifest once, whether or not its entry has a media type', async () => {
    for (const mediaType of [gz.mediaType, '']) {
      const bytes = await tarBytes(ociEntries(indexJson([{ ...indexEntry(gz), mediaType }]), blobEntries([gz])));
      const { source, read, passes } = await recordingOpener(bytes);
      const img = await imageFromSource(source);
      assert.ok((await img.rawManifest()).equals(gz.rawManifest));
      assert.equal((await img.manifest()).config.digest.hex, gz.configHex);
      assert.deepEqual(read.sort(), ['oci-layout', 'index.json', `blobs/sha256/${gz.digest.slice('sha256:'.length)}`].sort(), `media type ${JSON.stringify(mediaType)}`);
      assert.equal(passes(), 1 + read.length, 'one scan, then one pass per file read');
    }
  });

  test('index.json names are normalised; bare ref.name tags match nothing; misses list the names', async () => {
    const path = await archivePath(
      ociEntries(indexJson([indexEntry(plain, { [REF]: 'localhost/foo:v1' }), indexEntry(gz, { [REF]: 'v2' })]), blobEntries([plain, gz])),
    );
    assert.equal((await (await imageFromPath(path, { tag: 'localhost/foo:v1' })).digest()).toString(), plain.digest);
    await assert.rejects(imageFromPath(path, { tag: 'v2' }), (e: unknown) => {
      assert.ok(e instanceof NotFoundError);
      assert.match(e.message, new RegExp(`index.json lists ${plain.digest} \\(localhost/foo:v1\\); ${gz.digest} \\(v2\\)`));
      return true;
    });
  });

  test('indexFromSource views index.json; a classic archive has none', async () => {
    const path = await archivePath(ociEntries(indexJson([indexEntry(plain), indexEntry(gz)]), blobEntries([plain, gz])));
    const source = await openTarSource(path);
    const idx = await indexFromSource(source);
    await validate.index(idx);
    assert.equal((await idx.indexManifest()).manifests.length, 2);
    const img = await idx.image(Hash.parse(gz.digest));
    assert.ok((await collect(await (await img.layers())[0]!.compressed())).equals(gz.layers[0]!.compressed));
    await assert.rejects(imageFromSource(source), InvalidArgumentError);
    const classic = await archivePath(classicEntries([{ bytes: gz, tags: [] }], 'compressed'));
    await assert.rejects(imageIndexFromPath(classic), (e: unknown) => e instanceof NotFoundError && /not an OCI-layout archive/.test(e.message));
  });

  test('read as a layout or as a tarball: same views; a layer whose tar is not its diff_id fails either way', async () => {
    // gz's manifest with layer 0 swapped for arm's: every blob matches its descriptor, but that
    // layer's tar is not what gz's config lists as diff_ids[0].
    const m = parseManifest(gz.rawManifest);
    const swapped = marshalManifest({ ...m, layers: [arm.layers[0]!.desc] });
    const bytes = { ...gz, rawManifest: swapped, digest: Hash.of(swapped).toString(), layers: [{ ...arm.layers[0]! }] };
    const path = await archivePath(ociEntries(indexJson([indexEntry(bytes)]), blobEntries([bytes])));
    const source = await openTarSource(path);
    const asLayout = await (await fromFileSource(source)).image(Hash.of(swapped));
    const asTarball = await imageFromSource(source);
    assert.ok((await asLayout.rawManifest()).equals(await asTarball.rawManifest()));
    for (const img of [asLayout, asTarball]) {
      const [layer] = await img.layers();
      assert.ok((await collect(await layer!.compressed())).equals(arm.layers[0]!.compressed), 'the blob itself is intact');
      await assert.rejects(async () => collect(await layer!.uncompressed()), (e: unknown) => {
        assert.ok(e instanceof DigestMismatchError, String(e));
        assert.match((e as Error).message, new RegExp(`layer 0 \\(${arm.layers[0]!.desc.digest}\\) of image ${bytes.digest} in archive .*, uncompressed`));
        return true;
      });
    }
  });

  test('media types: a tarball reports what the documents say, a layout what index.json says (as ggcr)', async () => {
    // index.json entries without a media type (the OCI spec requires one; some tools leave it out).
    const path = await archivePath(ociEntries(indexJson([{ ...indexEntry(gz), mediaType: '' }], types.DockerManifestList), blobEntries([gz])));
    const source = await openTarSource(path);
    const tarballIndex = await indexFromSource(source);
    assert.equal(await tarballIndex.mediaType(), types.DockerManifestList, "index.json's own mediaType");
    assert.deepEqual(await tarballIndex.descriptor(), { mediaType: types.DockerManifestList, size: (await tarballIndex.rawManifest()).length, digest: await tarballIndex.digest() });
    const img = await tarballIndex.image(Hash.parse(gz.digest));
    assert.equal(await img.mediaType(), types.OCIManifestSchema1, "the manifest's own mediaType");
    assert.equal(await (await imageFromSource(source)).mediaType(), types.OCIManifestSchema1);
    const layoutIndex = await fromFileSource(source);
    assert.equal(await layoutIndex.mediaType(), types.OCIImageIndex, 'a layout root is an OCI index whatever it says');
    await assert.rejects(layoutIndex.image(Hash.parse(gz.digest)), UnexpectedMediaTypeError);
  });

  test('a descriptor reports the media type its view does: the document\'s, where the index.json entry has none', async () => {
    const nested = nestedIndex([indexEntry(gz, undefined, { os: 'linux', architecture: 'amd64' })]);
    const entries = [{ ...indexEntry(gz, { [REF]: 'v1' }), mediaType: '' }, { mediaType: '', size: nested.length, digest: Hash.of(nested) }];
    const idx = await indexFromSource(await openTarSource(await archivePath(ociEntries(indexJson(entries), blobEntries([gz], [nested])))));
    const img = (await idx.image(Hash.parse(gz.digest))) as Awaited<ReturnType<typeof idx.image>> & WithDescriptor;
    assert.deepEqual(await img.descriptor(), { ...entries[0]!, mediaType: types.OCIManifestSchema1 }, 'annotations kept, media type the manifest\'s');
    assert.equal((await img.descriptor()).mediaType, await img.mediaType());
    const child = (await idx.imageIndex(Hash.of(nested))) as ImageIndex & WithDescriptor;
    assert.deepEqual(await child.descriptor(), { ...entries[1]!, mediaType: types.OCIImageIndex });
    assert.equal((await child.descriptor()).mediaType, await child.mediaType());
  });
});
