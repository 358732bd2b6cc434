/**
 * @module Golden tests: our serializer against the bytes Go's encoding/json wrote for the same
 * values (test/golden/gojson, made by its gen.go). Each builder below mirrors the Go value of the
 * same name in gen.go; change both together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hash } from '../../v1/hash.ts';
import { Time } from '../../v1/time.ts';
import { Platform } from '../../v1/platform.ts';
import { parseConfigFile, type ConfigFile } from '../../v1/config.ts';
import { parseDescriptor, parseIndexManifest, parseManifest, type IndexManifest, type Manifest } from '../../v1/manifest.ts';
import type { Descriptor } from '../../v1/descriptor.ts';
import { marshalConfigFile, marshalDescriptor, marshalIndexManifest, marshalManifest, marshalPlatform } from './index.ts';

// Tests run from src/ (tsx) and from dist/src/ (compiled): find the checkout by its package.json.
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

const golden = join(repoRoot(), 'test', 'golden', 'gojson');
const read = (rel: string) => readFileSync(join(golden, rel));

const sha = (s: string) => Hash.of(s);
const time = (s: string) => Time.parse(s);

const ociManifest = 'application/vnd.oci.image.manifest.v1+json';
const ociIndex = 'application/vnd.oci.image.index.v1+json';
const ociLayer = 'application/vnd.oci.image.layer.v1.tar+gzip';
const dockerList = 'application/vnd.docker.distribution.manifest.list.v2+json';
const dockerV2 = 'application/vnd.docker.distribution.manifest.v2+json';
const dockerConfig = 'application/vnd.docker.container.image.v1+json';
const dockerForeign = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';

const tricky = [
  "HTML=<script>alert('&amp;')</script>",
  'CTRL=\x00\x01\x07\b\t\n\v\f\r\x1b\x1f\x7f',
  'QUOTE="back\\slash" \\u0008 \\\\',
  'UNICODE=é ü 日本語 😀 \u00a0\u0085\ufeff\ufffd\uffff',
  'SEP=\u2028\u2029',
  'SLASH=a/b',
  '',
];

const labels = {
  b: '2',
  a: '1',
  B: 'upper',
  A: 'upper',
  é: 'e-acute',
  '\uff01': 'fullwidth exclamation: sorts before astral characters in UTF-8',
  '😀': 'astral: sorts before U+FF01 in UTF-16',
  'a<b': 'x > y & z',
  '~': 'tilde',
  '': 'empty key',
  'org.opencontainers.image.title': 'title\u2028',
};

const data = Buffer.concat([Buffer.from('{"hello":"<world>"}'), Buffer.from([0, 1, 2, 0x7f, 0x80, 0xfe, 0xff])]);

const platformFull: Platform = {
  architecture: 'arm64',
  os: 'windows',
  'os.version': '10.0.17763.1234',
  'os.features': ['win32k', '<feature>'],
  variant: 'v8',
  features: ['sse4', 'avx'],
};

const subject: Descriptor = { mediaType: ociManifest, size: 1234, digest: sha('subject') };
const configDescriptor: Descriptor = { mediaType: dockerConfig, size: 123, digest: sha('config') };

// In our objects `undefined` is Go's nil slice (written null) and [] an allocated empty one; the
// v1 types call some of these lists required, so the nil cases are cast.
const values: Record<string, () => Buffer> = {
  'config-empty': () => marshalConfigFile({ architecture: '', os: '', rootfs: { type: 'layers' }, config: {} } as unknown as ConfigFile),

  'config-full': () =>
    marshalConfigFile({
      architecture: 'arm64',
      author: 'Jane <jane@example.com> & co',
      container: '3f2a<c>',
      created: new Time(Date.UTC(2024, 4, 6, 7, 8, 9) / 1000, 123_456_789),
      docker_version: '24.0.7',
      history: [
        { created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
        {
          author: 'bob',
          created: time('2024-01-02T03:04:05+05:30'),
          created_by: 'RUN echo "<hi>" && ls',
          comment: 'buildkit.dockerfile.v0',
          empty_layer: true,
        },
        { created: time('0999-12-31T23:59:59.0000001-08:00') },
        { created: time('2024-01-02T03:04:05.12+00:00') },
        { created: time('0005-06-07T08:09:10.000000001Z'), empty_layer: true },
      ],
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [sha('layer-1'), sha('layer-2')] },
      config: {
        AttachStderr: true,
        AttachStdin: true,
        AttachStdout: true,
        Cmd: ['/bin/sh', '-c', 'echo <a> && b'],
        Healthcheck: {
          Test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
          Interval: 30e9,
          Timeout: 5e9,
          StartPeriod: 1.5e9,
          StartInterval: 2e9,
          Retries: 3,
        },
        Domainname: 'example.com',
        Entrypoint: ['/entry', '--flag=<v>'],
        Env: tricky,
        Hostname: 'host',
        Image: sha('base-image').toString(),
        Labels: labels,
        OnBuild: ['RUN make'],
        OpenStdin: true,
        StdinOnce: true,
        Tty: true,
        User: '1000:1000',
        Volumes: { '/data': {}, '/a b': {}, '/Z': {} },
        WorkingDir: '/work',
        ExposedPorts: { '8080/tcp': {}, '443/tcp': {}, '53/udp': {} },
        ArgsEscaped: true,
        NetworkDisabled: true,
        MacAddress: '02:42:ac:11:00:02',
        StopSignal: 'SIGTERM',
        Shell: ['/bin/bash', '-c'],
      },
      'os.version': '10.0.17763.1234',
      variant: 'v8',
      'os.features': ['win32k'],
    }),

  'config-empty-collections': () =>
    marshalConfigFile({
      architecture: 'amd64',
      created: time('2023-12-31T23:59:59.999999999-03:30'),
      history: [],
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [] },
      config: { Cmd: [], Healthcheck: { Test: [] }, Env: [], Labels: {}, Volumes: {}, ExposedPorts: {}, Shell: [] },
      'os.features': [],
    }),

  'manifest-nil-layers': () =>
    marshalManifest({ schemaVersion: 2, mediaType: dockerV2, config: configDescriptor } as unknown as Manifest),

  'manifest-empty-layers': () => marshalManifest({ schemaVersion: 2, mediaType: dockerV2, config: configDescriptor, layers: [] }),

  'manifest-full': () =>
    marshalManifest({
      schemaVersion: 2,
      mediaType: ociManifest,
      config: { mediaType: 'application/vnd.example.config+json', size: 2, digest: sha('{}'), data: Buffer.from('{}') },
      layers: [
        { mediaType: ociLayer, size: 9007199254740991, digest: sha('layer-1') },
        {
          mediaType: dockerForeign,
          size: 42,
          digest: sha('layer-2'),
          urls: ['https://example.com/a?b=1&c=<2>', 'https://mirror.example.com/x'],
          annotations: { z: 'last', a: 'first', 'm<': '&' },
        },
      ],
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z', 'com.example.html': '<b>&</b>' },
      subject,
      artifactType: 'application/vnd.example.sbom+json',
    }),

  'manifest-zero': () => marshalManifest({} as Manifest),

  'index-platforms': () =>
    marshalIndexManifest({
      schemaVersion: 2,
      mediaType: dockerList,
      manifests: [
        { mediaType: dockerV2, size: 528, digest: sha('amd64'), platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: dockerV2, size: 529, digest: sha('arm64'), platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
        { mediaType: dockerV2, size: 530, digest: sha('windows'), platform: platformFull },
        {
          mediaType: ociManifest,
          size: 531,
          digest: sha('attestation'),
          annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
          platform: {} as Platform,
        },
      ],
      annotations: { b: '2', a: '1' },
      subject,
      artifactType: 'application/vnd.example.index',
    }),

  'index-nil-manifests': () => marshalIndexManifest({ schemaVersion: 2, mediaType: ociIndex } as unknown as IndexManifest),

  'index-empty-manifests': () => marshalIndexManifest({ schemaVersion: 2, mediaType: ociIndex, manifests: [] }),

  'descriptor-full': () =>
    marshalDescriptor({
      mediaType: ociManifest,
      size: data.length,
      digest: sha('descriptor'),
      data,
      urls: ['https://example.com/blob'],
      annotations: { 'org.opencontainers.image.ref.name': 'v1.0&<latest>' },
      platform: platformFull,
      artifactType: 'application/vnd.example+type',
    }),

  'descriptor-empty-data': () =>
    marshalDescriptor({ mediaType: ociLayer, size: 0, digest: sha(''), data: new Uint8Array(0), urls: [], annotations: {} }),

  'platform-full': () => marshalPlatform(platformFull),

  'platform-zero': () => marshalPlatform({} as Platform),
};

const goldenNames = (dir: string, suffix: string) =>
  readdirSync(join(golden, dir))
    .filter((f) => f.endsWith(suffix) && !(suffix === '.json' && f.endsWith('.input.json')))
    .map((f) => f.slice(0, -suffix.length))
    .sort();

test('every Go golden value has a TS builder and every builder a golden value', () => {
  assert.deepEqual(Object.keys(values).sort(), goldenNames('values', '.json'));
});

for (const [name, build] of Object.entries(values)) {
  test(`values/${name}: same bytes as Go's json.Marshal`, () => {
    assert.equal(build().toString('utf8'), read(`values/${name}.json`).toString('utf8'));
  });
}

function reparse(name: string, raw: Buffer): Buffer {
  if (name.startsWith('config') || name === 'docker-config') return marshalConfigFile(parseConfigFile(raw));
  if (name.startsWith('manifest') || name === 'oci-manifest' || name === 'nulls') return marshalManifest(parseManifest(raw));
  if (name.startsWith('index') || name === 'docker-index') return marshalIndexManifest(parseIndexManifest(raw));
  if (name.startsWith('descriptor') || name === 'invalid-utf8') return marshalDescriptor(parseDescriptor(raw));
  if (name.startsWith('platform')) return marshalPlatform(Platform.fromJSON(JSON.parse(raw.toString('utf8'))));
  throw new Error(`no parser for golden case ${name}`);
}

// parseManifest, parseIndexManifest and parseConfigFile read a null or missing `layers`,
// `manifests` or `rootfs.diff_ids` as [] ("so callers never meet null"); Go keeps it nil and
// writes it back as null. These round trips differ in exactly that until the parsers keep it.


for (const name of Object.keys(values)) {
  // Go cannot parse its own zero Manifest either: a zero Hash is written ":" and read back as an error.
  if (name === 'manifest-zero') continue;
  test(`values/${name}: parse → marshal gives Go's bytes back`, () => {
    const goBytes = read(`values/${name}.json`);
    assert.equal(reparse(name, goBytes).toString('utf8'), goBytes.toString('utf8'));
  });
}

for (const name of goldenNames('decode', '.input.json')) {
  test(`decode/${name}: parse → marshal gives what Go gives after json.Unmarshal`, () => {
    const out = reparse(name, read(`decode/${name}.input.json`));
    assert.equal(out.toString('utf8'), read(`decode/${name}.json`).toString('utf8'));
  });
}

test('decode cases exist (the golden folder was found and read)', () => {
  assert.ok(goldenNames('decode', '.input.json').length >= 5);
});
