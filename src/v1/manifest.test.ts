import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest, parseIndexManifest, parseDescriptor } from './manifest.ts';
import { parseConfigFile, configPlatform } from './config.ts';
import { BadDocumentError } from '../errors/index.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const manifest = {
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 7, digest: d('a') },
  layers: [
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 10, digest: d('b'), urls: ['https://x/y'] },
    { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', size: 11, digest: d('c'), annotations: { k: 'v' } },
  ],
  annotations: { 'org.opencontainers.image.created': 'now' },
  subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1, digest: d('d') },
  artifactType: 'application/example',
  'x-unknown': { kept: true },
};

function rejects(doc: unknown, path: string, message: RegExp, parse: (input: string) => unknown = parseManifest): void {
  assert.throws(
    () => parse(JSON.stringify(doc)),
    (e: unknown) => e instanceof BadDocumentError && e.code === 'ERR_BAD_DOCUMENT' && e.path === path && message.test(e.message),
    `${path}`,
  );
}

test('parseManifest reads every field, converts digests and keeps unknown fields', () => {
  const m = parseManifest(Buffer.from(JSON.stringify(manifest)));
  assert.equal(m.layers[1]!.digest.toString(), d('c'));
  assert.equal(m.layers[0]!.urls?.[0], 'https://x/y');
  assert.equal(m.subject?.digest.hex, 'd'.repeat(64));
  assert.equal(m.artifactType, 'application/example');
  assert.deepEqual((m as unknown as Record<string, unknown>)['x-unknown'], { kept: true });
  assert.ok(Object.isFrozen(m) && Object.isFrozen(m.layers) && Object.isFrozen(m.layers[0]));
});

test('parseManifest errors name the path of what is wrong', () => {
  rejects({ ...manifest, layers: [manifest.layers[0], { ...manifest.layers[1], digest: 'sha256:zz' }] }, 'layers[1].digest', /invalid digest "sha256:zz"/);
  rejects({ ...manifest, layers: [{ ...manifest.layers[0], size: -1 }] }, 'layers[0].size', /expected integer ≥ 0/);
  rejects({ ...manifest, layers: [{ ...manifest.layers[0], size: 1.5 }] }, 'layers[0].size', /expected integer/);
  rejects({ ...manifest, config: undefined }, 'config', /required/);
  rejects({ ...manifest, schemaVersion: '2' }, 'schemaVersion', /expected integer/);
  rejects({ ...manifest, annotations: { a: 1 } }, 'annotations["a"]', /expected string/);
  rejects({ ...manifest, layers: {} }, 'layers', /expected array/);
  rejects({ ...manifest, config: { ...manifest.config, data: '***' } }, 'config.data', /base64/);
  rejects([], '', /expected object/);
  assert.throws(() => parseManifest('{"schemaVersion":'), /manifest is not valid JSON/);
});

test('parseIndexManifest reads platforms and inline data', () => {
  const idx = parseIndexManifest({
    schemaVersion: 2,
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 3, digest: d('e'), data: Buffer.from('abc').toString('base64'), platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ],
  });
  assert.equal(Buffer.from(idx.manifests[0]!.data!).toString(), 'abc');
  assert.equal(idx.manifests[0]!.platform?.variant, 'v8');
  rejects({ schemaVersion: 2, manifests: [{ size: 1, digest: d('e'), platform: { os: 1 } }] }, 'manifests[0].platform.os', /expected string/, parseIndexManifest);
  assert.equal(parseDescriptor({ mediaType: 'x', size: 1, digest: d('f') }).digest.hex, 'f'.repeat(64));
});

test('parseConfigFile reads Docker and OCI fields, times, and the platform', () => {
  const cf = parseConfigFile({
    architecture: 'arm64',
    os: 'linux',
    variant: 'v8',
    created: '2024-01-02T03:04:05.123456789+02:00',
    config: { Env: ['A=1'], ExposedPorts: { '80/tcp': {} }, Healthcheck: { Test: ['CMD', 'true'], Interval: 1000000000 } },
    rootfs: { type: 'layers', diff_ids: [d('1')] },
    history: [{ created_by: 'x', empty_layer: true }],
    container_config: { Cmd: ['sh'] },
  });
  assert.equal(cf.created?.toString(), '2024-01-02T03:04:05.123456789+02:00');
  assert.equal(cf.rootfs.diff_ids[0]!.toString(), d('1'));
  assert.deepEqual(cf.config.ExposedPorts, { '80/tcp': {} });
  assert.equal(cf.config.Healthcheck?.Interval, 1e9);
  assert.deepEqual((cf as unknown as Record<string, unknown>)['container_config'], { Cmd: ['sh'] });
  assert.deepEqual(configPlatform(cf), { os: 'linux', architecture: 'arm64', variant: 'v8' });
  assert.throws(() => parseConfigFile({ rootfs: { diff_ids: ['nope'] } }), /rootfs\.diff_ids\[0\]: invalid digest/);
  assert.throws(() => parseConfigFile({ created: 'yesterday' }), /created: invalid RFC 3339 time/);
  assert.throws(() => parseConfigFile({ config: { Env: 'A=1' } }), /config\.Env: expected array/);
});
