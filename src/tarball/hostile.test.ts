import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BadDocumentError, BadTarError, DigestMismatchError, NotFoundError, OciError, UnsafePathError } from '../errors/index.ts';
import { collect, file, hardlink, symlink, tarBytes, tempFolder, writeArchive } from '../internal/archive/archive.test-fixtures.ts';
import type { TarEntry } from '../internal/tar/index.ts';
import { image as randomImage } from '../random/index.ts';
import * as validate from '../validate/index.ts';
import { imageFromPath, imageIndexFromPath, soleIndexFromSource } from './image.ts';
import { openTarSource } from '../internal/archive/tar-source.ts';
import { Hash } from '../v1/hash.ts';
import { blobEntries, classicEntries, imageBytes, indexEntry, indexJson, nestedIndex, ociEntries, type ImageBytes } from './read.test-fixtures.ts';

let folder: Awaited<ReturnType<typeof tempFolder>>;
let img: ImageBytes;
let twin: ImageBytes;

before(async () => {
  folder = await tempFolder();
  img = await imageBytes(randomImage(2000, 2, { seed: 'hostile' }));
  twin = await imageBytes(randomImage(2000, 2, { seed: 'hostile-twin' }));
});
after(async () => {
  await folder.cleanup();
});

/** A classic archive whose manifest.json names `layers` (and `config`) as given. */
function manifestNaming(layers: string[], config = `${img.configHex}.json`): TarEntry {
  return file('manifest.json', JSON.stringify([{ Config: config, RepoTags: ['evil:1'], Layers: layers }]));
}

const goodLayers = () => img.layers.map((l) => file(`${l.digestHex}.tar.gz`, l.compressed));

let n = 0;
/** Reads the archive; the error must be `kind` with a message matching `message`, and nothing may be written. */
async function refused(entries: TarEntry[] | Buffer, kind: new (...args: never[]) => OciError, message: RegExp, read: (p: string) => Promise<unknown> = (p) => imageFromPath(p)): Promise<void> {
  const bytes = Buffer.isBuffer(entries) ? entries : await tarBytes(entries);
  const name = `hostile-${n++}.tar`;
  const path = await writeArchive(folder.dir, name, bytes);
  const before = await folder.listing();
  await assert.rejects(read(path), (e: unknown) => {
    assert.ok(e instanceof kind, `expected ${kind.name}, got ${String(e)}`);
    assert.match((e as Error).message, message);
    return true;
  });
  assert.deepEqual(await folder.listing(), before, 'reading wrote nothing');
}

test('a manifest.json naming a file that is not there names the entry and the file', async () => {
  await refused(
    [file(`${img.configHex}.json`, img.rawConfig), ...goodLayers().slice(0, 1), manifestNaming([`${img.layers[0]!.digestHex}.tar.gz`, 'gone/layer.tar'])],
    NotFoundError,
    /^manifest.json \[0\] of archive .*hostile-\d+.tar: Layers\[1\]: "gone\/layer.tar" is not in archive /,
  );
  await refused([...goodLayers(), manifestNaming(img.layers.map((l) => `${l.digestHex}.tar.gz`))], NotFoundError, /Config: "[0-9a-f]{64}.json" is not in archive/);
});

test('manifest.json names that climb out or are absolute are refused by name', async () => {
  await refused([file(`${img.configHex}.json`, img.rawConfig), ...goodLayers(), manifestNaming(['../../etc/shadow'])], UnsafePathError, /refusing to look up "..\/..\/etc\/shadow": the name "..\/..\/etc\/shadow" climbs out of the root/);
  await refused([file(`${img.configHex}.json`, img.rawConfig), manifestNaming(['/etc/passwd'])], UnsafePathError, /refusing to look up "\/etc\/passwd": the name "\/etc\/passwd" has an absolute path/);
});

test('archive entries whose own names are absolute or climb out are never read', async () => {
  const layer = img.layers[0]!;
  await refused(
    [file(`${img.configHex}.json`, img.rawConfig), file(`../${layer.digestHex}.tar.gz`, layer.compressed), manifestNaming([`${layer.digestHex}.tar.gz`])],
    UnsafePathError,
    new RegExp(`"${layer.digestHex}.tar.gz" is only present as the entry "../${layer.digestHex}.tar.gz" \\(header at byte offset \\d+\\), whose name leaves the archive root`),
  );
  await refused([file('/manifest.json', '[]')], UnsafePathError, /"manifest.json" is only present as the entry "\/manifest.json"/);
});

test('a symlink loop is a BadTarError naming the chain', async () => {
  await refused(
    [file(`${img.configHex}.json`, img.rawConfig), symlink('a/layer.tar', '../b/layer.tar'), symlink('b/layer.tar', '../a/layer.tar'), manifestNaming(['a/layer.tar'])],
    BadTarError,
    /links loop while looking up "a\/layer.tar": symlink "a\/layer.tar" -> "..\/b\/layer.tar", symlink "b\/layer.tar" -> "..\/a\/layer.tar"/,
  );
});

test('links out of the archive are refused', async () => {
  const config = file(`${img.configHex}.json`, img.rawConfig);
  await refused([config, symlink('l/layer.tar', '../../../etc/passwd'), manifestNaming(['l/layer.tar'])], UnsafePathError, /symlink "l\/layer.tar" -> "..\/..\/..\/etc\/passwd" .*leads outside the archive root/);
  await refused([config, symlink('l/layer.tar', '/etc/passwd'), manifestNaming(['l/layer.tar'])], UnsafePathError, /symlink "l\/layer.tar" -> "\/etc\/passwd"/);
  await refused([config, hardlink('h.tar', '../outside.tar'), manifestNaming(['h.tar'])], UnsafePathError, /hard link "h.tar" -> "..\/outside.tar"/);
});

test('a truncated archive is refused when it is opened', async () => {
  const whole = await tarBytes(classicEntries([{ bytes: img, tags: [] }], 'compressed'));
  // Cut inside the second layer file (entries: config, layer 0, layer 1, manifest.json).
  const padded = (size: number) => Math.ceil(size / 512) * 512;
  const cut = whole.subarray(0, 512 + padded(img.rawConfig.length) + 512 + padded(img.layers[0]!.compressed.length) + 512 + 700);
  await refused(cut, BadTarError, /archive .* is truncated: entry "[0-9a-f]{64}.tar.gz" \(header at byte offset \d+\) has \d+ bytes of data/);
});

test('duplicate entries are refused, naming the name and both offsets', async () => {
  const entries = classicEntries([{ bytes: img, tags: ['a:1'] }], 'compressed');
  await refused([...entries, file('./manifest.json', '[]')], BadTarError, /has two entries named "manifest.json" \(written as "manifest.json" and ".\/manifest.json"\), with headers at byte offsets \d+ and \d+/);
});

test('a layer whose bytes are not the config diff_id fails when read, naming the layer', async () => {
  // The uncompressed layout, with layer 1's file swapped for another image's layer.
  const entries = classicEntries([{ bytes: img, tags: [] }], 'uncompressed').map((e) =>
    e.header.name === `${img.layers[1]!.diffIDHex}/layer.tar` ? file(e.header.name, twin.layers[1]!.tar) : e,
  );
  const plain = await imageFromPath(await writeArchive(folder.dir, 'swapped-plain.tar', await tarBytes(entries)));
  const layer = (await plain.layers())[1]!;
  await assert.rejects(collect(await layer.uncompressed()), (e: unknown) => {
    assert.ok(e instanceof DigestMismatchError);
    assert.match(e.message, new RegExp(`digest mismatch for layer 1 \\(diffID sha256:${img.layers[1]!.diffIDHex}\\) of manifest.json \\[0\\] of archive .*swapped-plain.tar \\("${img.layers[1]!.diffIDHex}/layer.tar", uncompressed\\)`));
    return true;
  });
  await assert.rejects(validate.image(plain), /digest mismatch/);

  // The compressed layout: the gzip file hashes to whatever it is, but its tar is not the diff_id.
  const swapped = classicEntries([{ bytes: img, tags: [] }], 'compressed').map((e) =>
    e.header.name === `${img.layers[0]!.digestHex}.tar.gz` ? file(e.header.name, twin.layers[0]!.compressed) : e,
  );
  const gz = await imageFromPath(await writeArchive(folder.dir, 'swapped-gz.tar', await tarBytes(swapped)));
  await assert.rejects(async () => collect(await (await gz.layers())[0]!.uncompressed()), DigestMismatchError);
});

test('an OCI blob that does not match its descriptor fails when read, naming the blob', async () => {
  // Same size, one byte different: only the digest, checked as the bytes stream, can tell.
  const tampered = Buffer.from(img.layers[0]!.compressed);
  tampered[tampered.length >> 1]! ^= 0xff;
  const blobs = blobEntries([img]).map((e) => (e.header.name === `blobs/sha256/${img.layers[0]!.digestHex}` ? file(e.header.name, tampered) : e));
  const path = await writeArchive(folder.dir, 'oci-swapped.tar', await tarBytes(ociEntries(indexJson([indexEntry(img)]), blobs)));
  const oci = await imageFromPath(path);
  const layer = (await oci.layers())[0]!;
  await assert.rejects(async () => collect(await layer.compressed()), (e: unknown) => {
    assert.ok(e instanceof DigestMismatchError, String(e));
    assert.match((e as Error).message, new RegExp(`digest mismatch for layer 0 \\(sha256:${img.layers[0]!.digestHex}\\) of image ${img.digest} in archive .*oci-swapped.tar`));
    return true;
  });
  // A manifest blob that is not what index.json says is refused before anything else is read.
  const badIndex = indexJson([{ ...indexEntry(img), digest: indexEntry(twin).digest }]);
  await refused(ociEntries(badIndex, blobEntries([img])), NotFoundError, new RegExp(`manifest of image ${twin.digest} in archive .*: "blobs/sha256/${twin.digest.slice(7)}" is not in archive`), async (p) => (await imageFromPath(p)).rawManifest());
  // A config blob swapped for another: refused as soon as the config is read.
  await refused(
    ociEntries(indexJson([indexEntry(img)]), blobEntries([img]).map((e) => (e.header.name === `blobs/sha256/${img.configHex}` ? file(e.header.name, twin.rawConfig) : e))),
    OciError,
    new RegExp(`mismatch for config of image ${img.digest} in archive .*expected`),
    async (p) => (await imageFromPath(p)).rawConfigFile(),
  );
});

test('a malformed manifest or child index in an OCI archive is a BadDocumentError naming it by kind and digest, the archive and the path in it', async () => {
  const badIndex = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: img.mediaType, size: 1, digest: 'sha256:zz' }] }));
  const m = JSON.parse(img.rawManifest.toString()) as { layers: { digest: string }[] };
  m.layers[0]!.digest = 'sha256:zz';
  const badManifest = Buffer.from(JSON.stringify(m));
  const notJson = Buffer.from('{"schemaVersion": 2,');
  const at = (doc: Buffer) => `blobs/sha256/${Hash.of(doc).hex} in archive .*hostile-\\d+\\.tar`;
  const sole = async (p: string) => soleIndexFromSource(await openTarSource(p));
  // An entry without a media type is told apart by its document; one with is parsed as it says.
  for (const declared of [true, false]) {
    const entry = (doc: Buffer, mediaType: string) => ({ mediaType: declared ? mediaType : '', size: doc.length, digest: Hash.of(doc) });
    const wholeIndexBad = ociEntries(indexJson([entry(badIndex, 'application/vnd.oci.image.index.v1+json')]), blobEntries([img], [badIndex]));
    for (const read of [sole, (p: string) => imageFromPath(p)]) {
      await refused(wholeIndexBad, BadDocumentError, new RegExp(`^manifests\\[0\\]\\.digest: invalid digest .* \\(in index ${at(badIndex)}\\)$`), read);
    }
    const imageBad = ociEntries(indexJson([entry(badManifest, img.mediaType)]), blobEntries([img], [badManifest]));
    const readImage = declared ? async (p: string) => (await imageFromPath(p)).manifest() : (p: string) => imageFromPath(p);
    await refused(imageBad, BadDocumentError, new RegExp(`^layers\\[0\\]\\.digest: invalid digest .* \\(in manifest ${at(badManifest)}\\)$`), readImage);
  }
  // Checking that the archive holds a whole index reads each manifest under it.
  const nested = nestedIndex([{ mediaType: img.mediaType, size: badManifest.length, digest: Hash.of(badManifest) }]);
  const childBad = ociEntries(indexJson([{ mediaType: 'application/vnd.oci.image.index.v1+json', size: nested.length, digest: Hash.of(nested) }]), blobEntries([img], [nested, badManifest]));
  await refused(childBad, BadDocumentError, new RegExp(`^layers\\[0\\]\\.digest: invalid digest .* \\(in manifest ${at(badManifest)}\\)$`), sole);
  const notJsonEntry = ociEntries(indexJson([{ mediaType: '', size: notJson.length, digest: Hash.of(notJson) }]), blobEntries([img], [notJson]));
  await refused(notJsonEntry, BadDocumentError, new RegExp(`^manifest ${at(notJson)} is not valid JSON`), (p) => imageFromPath(p));
  // Docker ≥ 25: a tag found through manifest.json's RepoTags is looked up by config in index.json's manifests.
  const repoTags = file('manifest.json', JSON.stringify([{ Config: `blobs/sha256/${img.configHex}`, RepoTags: ['evil:1'], Layers: [] }]));
  const docker = ociEntries(indexJson([{ mediaType: img.mediaType, size: badManifest.length, digest: Hash.of(badManifest) }]), blobEntries([img], [badManifest]), [repoTags]);
  await refused(docker, BadDocumentError, new RegExp(`^layers\\[0\\]\\.digest: invalid digest .* \\(in manifest ${at(badManifest)}\\)$`), (p) => imageFromPath(p, { tag: 'evil:1' }));
});

test('a malformed index.json or oci-layout is a BadDocumentError naming the file, the archive and the path in it', async () => {
  const badDigest = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1, digest: 'sha256:zz' }] }));
  const readers = [(p: string) => imageFromPath(p), (p: string) => imageIndexFromPath(p), async (p: string) => soleIndexFromSource(await openTarSource(p))];
  for (const read of readers) {
    await refused(ociEntries(badDigest, blobEntries([img])), BadDocumentError, /^manifests\[0\]\.digest: .* \(in index\.json of archive .*hostile-\d+\.tar\)$/, read);
    const notJson = ociEntries(indexJson([indexEntry(img)]), blobEntries([img])).map((e) => (e.header.name === 'oci-layout' ? file('oci-layout', '{"imageLayoutVersion":') : e));
    await refused(notJson, BadDocumentError, /^oci-layout of archive .*hostile-\d+\.tar is not valid JSON/, read);
  }
});
