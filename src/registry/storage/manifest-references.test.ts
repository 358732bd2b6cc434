import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadDocumentError } from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';
import { defaultReferrer, manifestReferences } from './manifest-references.ts';

const h = (s: string) => Hash.of(s).toString();
const desc = (s: string, mediaType = 'application/octet-stream') => ({ mediaType, size: s.length, digest: h(s) });
const bytes = (o: unknown) => Buffer.from(JSON.stringify(o));

test('an image manifest references its config and layers, and names its subject', () => {
  const m = bytes({ schemaVersion: 2, config: desc('c'), layers: [desc('l1'), desc('l2')], subject: desc('s') });
  assert.deepEqual(manifestReferences(m), { blobs: [h('c'), h('l1'), h('l2')], manifests: [], subject: h('s') });
});

test('an index references its children, not as blobs', () => {
  const m = bytes({ schemaVersion: 2, manifests: [desc('a'), desc('b')] });
  assert.deepEqual(manifestReferences(m), { blobs: [], manifests: [h('a'), h('b')] });
});

test('artifact manifests (blobs) and schema 1 (fsLayers) are understood', () => {
  assert.deepEqual(manifestReferences(bytes({ blobs: [desc('x')], subject: desc('s') })), { blobs: [h('x')], manifests: [], subject: h('s') });
  assert.deepEqual(manifestReferences(bytes({ schemaVersion: 1, fsLayers: [{ blobSum: h('a') }, { blobSum: h('b') }] })), {
    blobs: [h('a'), h('b')],
    manifests: [],
  });
});

test('bytes that are not a JSON object reference nothing', () => {
  for (const raw of ['not json', '[1,2]', '"text"', '{"other":true}', '']) {
    assert.deepEqual(manifestReferences(Buffer.from(raw)), { blobs: [], manifests: [] }, raw);
  }
});

test('a document of a known shape with a bad reference is refused, not guessed at', () => {
  const bad = bytes({ schemaVersion: 2, config: desc('c'), layers: [{ mediaType: 'x', size: 1, digest: 'sha256:zz' }] });
  assert.throws(() => manifestReferences(bad), (err: unknown) => err instanceof BadDocumentError && err.path === 'layers[0].digest');
  assert.throws(() => manifestReferences(bytes({ fsLayers: [{ blobSum: 'nope' }] })), BadDocumentError);
});

test('a referrer descriptor takes artifactType from the manifest, else its config media type', () => {
  const d = Hash.of('m');
  const withType = bytes({ schemaVersion: 2, artifactType: 'application/sig', config: desc('c', 'application/cfg'), layers: [], annotations: { a: 'b' } });
  assert.deepEqual(defaultReferrer(withType, 'application/vnd.oci.image.manifest.v1+json', d), {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: withType.length,
    digest: d,
    artifactType: 'application/sig',
    annotations: { a: 'b' },
  });
  const plain = bytes({ schemaVersion: 2, config: desc('c', 'application/cfg'), layers: [] });
  assert.equal(defaultReferrer(plain, 'm', d).artifactType, 'application/cfg');
  const idx = bytes({ schemaVersion: 2, manifests: [] });
  assert.equal('artifactType' in defaultReferrer(idx, 'i', d), false);
  assert.deepEqual(defaultReferrer(Buffer.from('garbage'), 'x', d), { mediaType: 'x', size: 7, digest: d });
});
