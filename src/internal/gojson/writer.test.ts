import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../errors/index.ts';
import { Hash } from '../../v1/hash.ts';
import { Time } from '../../v1/time.ts';
import { parseConfigFile, type ConfigFile } from '../../v1/config.ts';
import { parseManifest, type Manifest } from '../../v1/manifest.ts';
import {
  field,
  goAnyType,
  goBoolType,
  goBytesType,
  goHashType,
  goIntType,
  goSetType,
  goStringType,
  goTimeType,
  mapOf,
  marshalConfigFile,
  marshalManifest,
  marshalWithSchema,
  omitEmpty,
  pointerTo,
  sliceOf,
  struct,
} from './index.ts';

const text = (b: Buffer) => b.toString('utf8');
const digest = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const inner = struct('Inner', [field('n', goIntType)]);
const zeroes = struct('Zeroes', [
  field('s', goStringType),
  field('i', goIntType),
  field('b', goBoolType),
  field('h', goHashType),
  field('t', goTimeType),
  field('bytes', goBytesType),
  field('list', sliceOf(goStringType)),
  field('map', mapOf(goStringType)),
  field('ptr', pointerTo(inner)),
  field('struct', inner),
  field('any', goAnyType),
]);

test('fields without omitempty left unset are written as Go zero values', () => {
  assert.equal(
    text(marshalWithSchema({}, zeroes)),
    '{"s":"","i":0,"b":false,"h":":","t":"0001-01-01T00:00:00Z","bytes":null,"list":null,"map":null,"ptr":null,"struct":{"n":0},"any":null}',
  );
});

test('omitempty drops "", 0, false, nil and empty lists and maps, but never a struct or a time', () => {
  const t = struct('Omit', [
    omitEmpty('s', goStringType),
    omitEmpty('i', goIntType),
    omitEmpty('b', goBoolType),
    omitEmpty('bytes', goBytesType),
    omitEmpty('list', sliceOf(goStringType)),
    omitEmpty('map', mapOf(goStringType)),
    omitEmpty('set', goSetType),
    omitEmpty('ptr', pointerTo(inner)),
    omitEmpty('any', goAnyType),
    omitEmpty('struct', inner),
    omitEmpty('t', goTimeType),
  ]);
  const empty = { s: '', i: 0, b: false, bytes: new Uint8Array(0), list: [], map: {}, set: new Map(), ptr: null, any: null };
  assert.equal(text(marshalWithSchema(empty, t)), '{"struct":{"n":0},"t":"0001-01-01T00:00:00Z"}');
  assert.equal(
    text(marshalWithSchema({ s: 'x', i: -1, b: true, list: [''], map: { k: '' }, set: { '80/tcp': {} }, ptr: {}, any: 0 }, t)),
    '{"s":"x","i":-1,"b":true,"list":[""],"map":{"k":""},"set":{"80/tcp":{}},"ptr":{"n":0},"any":0,"struct":{"n":0},"t":"0001-01-01T00:00:00Z"}',
  );
});

test('the @example of marshalWithSchema holds', () => {
  const t = struct('Pair', [field('b', goStringType), omitEmpty('a', goIntType)]);
  assert.equal(marshalWithSchema({ a: 0, b: '<' }, t).toString(), '{"b":"\\u003c"}');
});

test('maps may be Map objects; bigint integers, hash strings and time strings are accepted', () => {
  const t = struct('Mixed', [field('m', mapOf(goIntType)), field('h', goHashType), field('t', goTimeType)]);
  const out = marshalWithSchema({ m: new Map<string, number | bigint>([['b', 2n ** 60n], ['a', 1]]), h: digest, t: '2024-01-02T03:04:05.500+00:00' }, t);
  assert.equal(text(out), `{"m":{"a":1,"b":1152921504606846976},"h":"${digest}","t":"2024-01-02T03:04:05.5Z"}`);
  assert.ok(Buffer.isBuffer(out));
});

test('interface{} values are written with sorted keys and Go number text', () => {
  const out = marshalWithSchema({ z: [1.5, -0, 1e21, 1e-7, true, null], a: { y: '<', b: Hash.parse(digest) } }, goAnyType);
  assert.equal(text(out), `{"a":{"b":"${digest}","y":"\\u003c"},"z":[1.5,-0,1e+21,1e-7,true,null]}`);
  assert.throws(() => marshalWithSchema({ x: Number.NaN }, goAnyType), /"x": expected finite number, got number NaN/);
});

const withUnknown = {
  schemaVersion: 2,
  zeta: { b: 1, a: '<&>' },
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: 2, digest, extra: [1, 'x'] },
  layers: [],
  alpha: null,
};

test('unknown fields are dropped by default, as Go drops them', () => {
  const m = parseManifest(JSON.stringify(withUnknown));
  assert.equal(
    text(marshalManifest(m)),
    `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"${digest}"},"layers":[]}`,
  );
});

test("unknownFields: 'keep' writes them after the known fields, in the order read, escaped as Go escapes", () => {
  const m = parseManifest(JSON.stringify(withUnknown));
  assert.equal(
    text(marshalManifest(m, { unknownFields: 'keep' })),
    `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"${digest}","extra":[1,"x"]},"layers":[],"zeta":{"b":1,"a":"\\u003c\\u0026\\u003e"},"alpha":null}`,
  );
});

test("unknownFields: 'keep' keeps Docker's container_config in a config", () => {
  const cf = parseConfigFile('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"container_config":{"Cmd":["sh"]},"config":{}}');
  const kept = text(marshalConfigFile(cf, { unknownFields: 'keep' }));
  assert.equal(kept, '{"architecture":"amd64","created":"0001-01-01T00:00:00Z","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{},"container_config":{"Cmd":["sh"]}}');
  assert.ok(!text(marshalConfigFile(cf)).includes('container_config'));
});

test('a value of the wrong type is refused with the path to it', () => {
  const m = { schemaVersion: 2, config: { mediaType: '', size: 0, digest }, layers: [{ mediaType: 'x', size: 1.5, digest }] };
  assert.throws(() => marshalManifest(m as unknown as Manifest), (e: unknown) => {
    assert.ok(e instanceof InvalidArgumentError);
    assert.equal(e.message, 'cannot marshal layers[0].size: expected integer, got number 1.5');
    return true;
  });
  const cf = { architecture: '', os: '', rootfs: { type: 'layers' }, config: { Env: ['A=1', 2], Tty: 'yes' } };
  assert.throws(() => marshalConfigFile(cf as unknown as ConfigFile), /config\.Env\[1\]: expected string, got number 2/);
  const labels = { architecture: '', os: '', rootfs: { type: 'layers' }, config: { Labels: { 'a"b': 1 } } };
  assert.throws(() => marshalConfigFile(labels as unknown as ConfigFile), /config\.Labels\["a\\"b"\]: expected string/);
  assert.throws(() => marshalManifest({ ...m, layers: {} } as unknown as Manifest), /layers: expected array, got object/);
});

test("a time Go's MarshalJSON refuses is refused", () => {
  const late = new Time(Time.parse('9999-12-31T23:59:59Z').seconds + 1);
  const cf = { architecture: '', os: '', created: late, rootfs: { type: 'layers', diff_ids: [] }, config: {} } as ConfigFile;
  assert.throws(() => marshalConfigFile(cf), /year outside of range/);
});
