import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as empty from './index.ts';
import * as types from '../types/index.ts';
import { hasCode } from '../errors/index.ts';

test('the empty image is Docker schema 2 with a config that has only rootfs, in Go JSON', async () => {
  const img = empty.image();
  assert.equal(await img.mediaType(), types.DockerManifestSchema2);
  assert.equal(
    (await img.rawConfigFile()).toString(),
    '{"architecture":"","created":"0001-01-01T00:00:00Z","os":"","rootfs":{"type":"layers","diff_ids":null},"config":{}}',
  );
  const m = await img.manifest();
  assert.equal(m.layers.length, 0);
  assert.equal(m.config.mediaType, types.DockerConfigJSON);
  assert.equal((await img.layers()).length, 0);
});

test('the empty index is an OCI index with no manifests', async () => {
  const idx = empty.index();
  assert.equal((await idx.rawManifest()).toString(), '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}');
  await assert.rejects(idx.image(await idx.digest()), (e: unknown) => hasCode(e, 'ERR_NOT_FOUND'));
});
