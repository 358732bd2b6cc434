// Schema 1: read through get().schema1(), refused by image() with a specific error, and copied
// blob by blob with the manifest bytes kept. Our registry stores no schema 1 (the spec has none),
// so a loopback server in front of it serves and accepts the schema 1 manifest itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as remote from './index.ts';
import * as random from '../random/index.ts';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import { Repository } from '../name/index.ts';
import { copy } from '../crane/copy.ts';
import { startFrontedRegistry, type FrontedRegistry } from '../registry/fronted.test-fixtures.ts';

let front: FrontedRegistry;
let host = '';
let schema1 = Buffer.alloc(0);
const putSchema1: { url: string; body: Buffer; type: string }[] = [];

before(async () => {
  front = await startFrontedRegistry();
  host = front.host;
  front.intercept = (req, res) => {
    const m = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(req.url ?? '');
    if (m && m[1] === 'legacy/old' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': types.DockerManifestSchema1, 'content-length': schema1.length, 'docker-content-digest': Hash.of(schema1).toString() });
      res.end(req.method === 'GET' ? schema1 : undefined);
      return true;
    }
    if (m && req.method === 'PUT' && req.headers['content-type'] === types.DockerManifestSchema1) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        putSchema1.push({ url: req.url ?? '', body: Buffer.concat(chunks), type: req.headers['content-type'] ?? '' });
        res.writeHead(201, { 'docker-content-digest': Hash.of(Buffer.concat(chunks)).toString() });
        res.end();
      });
      return true;
    }
    return false;
  };
  const layers = await random.image(3000, 2, { seed: 'schema1' }).layers();
  for (const l of layers) await remote.writeLayer(Repository.parse(`${host}/legacy/old`), l);
  const sums = await Promise.all(layers.map(async (l) => (await l.digest()).toString()));
  // Schema 1 lists layers top first; the base layer appears twice, as empty layers do.
  schema1 = Buffer.from(
    JSON.stringify({ schemaVersion: 1, name: 'legacy/old', tag: 'v1', architecture: 'amd64', fsLayers: [{ blobSum: sums[1] }, { blobSum: sums[0] }, { blobSum: sums[0] }], history: [] }, null, 3),
  );
});
after(() => front.close());

test('get().schema1() lists the blobs base first with sizes; image() refuses with Schema1Error', async () => {
  const desc = await remote.get(`${host}/legacy/old:v1`);
  assert.equal(desc.mediaType, types.DockerManifestSchema1);
  await assert.rejects(desc.image(), { code: 'ERR_SCHEMA1' });
  await assert.rejects(remote.image(`${host}/legacy/old:v1`), remote.Schema1Error);
  const s1 = await desc.schema1();
  assert.ok((await s1.digest()).equals(Hash.of(schema1)));
  const layers = await s1.layers();
  assert.equal(layers.length, 3);
  const sums = remote.schema1BlobSums(schema1).map(String);
  assert.deepEqual(await Promise.all(layers.map(async (l) => (await l.digest()).toString())), sums);
  const first = layers[0]!;
  const chunks: Buffer[] = [];
  for await (const c of await first.compressed()) chunks.push(c as Buffer);
  assert.equal(Buffer.concat(chunks).length, await first.size());
  assert.ok(Hash.of(Buffer.concat(chunks)).equals(await first.digest()));
});

test('crane copy of a schema 1 image sends its blobs once each, then the manifest bytes unchanged', async () => {
  putSchema1.length = 0;
  await copy(`${host}/legacy/old:v1`, `${host}/legacy/copied:v1`);
  assert.equal(putSchema1.length, 1);
  assert.equal(putSchema1[0]!.url, '/v2/legacy/copied/manifests/v1');
  assert.ok(putSchema1[0]!.body.equals(schema1));
  for (const h of new Set(remote.schema1BlobSums(schema1).map(String))) {
    const l = await remote.layer(`${host}/legacy/copied@${h}`);
    assert.equal((await l.digest()).toString(), h, `blob ${h} is in the destination repository`);
  }
});

test('a malformed schema 1 manifest names what is wrong', () => {
  assert.throws(() => remote.schema1BlobSums(Buffer.from('{"schemaVersion":1,"fsLayers":[{"blobSum":"nope"}]}')), /fsLayers\[0\]\.blobSum|nope/);
  assert.throws(() => remote.schema1BlobSums(Buffer.from('{"schemaVersion":2}')), /schemaVersion/);
});
