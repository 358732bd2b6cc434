// The client against a registry that misbehaves on purpose: our registry's handler behind a
// loopback server that drops connections mid-upload, corrupts blobs and sends huge manifests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as remote from './index.ts';
import * as random from '../random/index.ts';
import * as validate from '../validate/index.ts';
import { dropsMidBlob, startFrontedRegistry, type FrontedRegistry } from '../registry/fronted.test-fixtures.ts';

let front: FrontedRegistry;
let host = '';
let seen: string[] = [];

before(async () => {
  front = await startFrontedRegistry();
  host = front.host;
  seen = front.seen;
});
after(() => front.close());

test('a PATCH dropped mid-blob resumes from the offset the registry reports', async () => {
  const img = random.image(3 * 1024 * 1024, 1, { seed: 'resume' });
  let dropped = false;
  front.intercept = (req, res) => {
    if (dropped || req.method !== 'PATCH') return false;
    dropped = true;
    let n = 0;
    req.on('data', (c: Buffer) => {
      n += c.length;
      if (n > 1024 * 1024) req.socket.destroy();
    });
    front.registry.handler(req, res);
    return true;
  };
  seen.length = 0;
  await remote.write(`${host}/faults/resume:v1`, img);
  front.intercept = undefined;
  const patches = seen.filter((s) => s.startsWith('PATCH'));
  assert.ok(dropped, 'the fault fired');
  assert.ok(patches.length >= 2, `resumed with a second PATCH: ${patches.join(', ')}`);
  assert.ok(seen.some((s) => s.startsWith('GET /v2/faults/resume/blobs/uploads/')), 'asked the registry where the upload was');
  await validate.image(await remote.image(`${host}/faults/resume:v1`));
});

test('a blob whose bytes do not match its digest is an error, not data', async () => {
  const img = random.image(10_000, 1, { seed: 'corrupt' });
  await remote.write(`${host}/faults/corrupt:v1`, img);
  const { digest, size: realSize } = (await img.manifest()).layers[0]!;
  const layerDigest = digest.toString();
  let size = realSize; // same length, other bytes: only the digest can tell
  front.intercept = (req, res) => {
    if (req.method !== 'GET' || !req.url?.endsWith(layerDigest)) return false;
    res.writeHead(200, { 'Content-Length': String(size), 'Docker-Content-Digest': layerDigest });
    res.end(Buffer.alloc(size, 1));
    return true;
  };
  try {
    const back = await remote.image(`${host}/faults/corrupt:v1`);
    const [l] = await back.layers();
    await assert.rejects(
      (async () => {
        for await (const _ of await l!.compressed()) {
          // drain
        }
      })(),
      (e: { code?: string }) => e.code === 'ERR_DIGEST_MISMATCH',
    );
    size = realSize + 100; // and a length that lies
    const [again] = await (await remote.image(`${host}/faults/corrupt:v1`)).layers();
    await assert.rejects(again!.compressed(), (e: { code?: string }) => e.code === 'ERR_SIZE_MISMATCH');
  } finally {
    front.intercept = undefined;
  }
});

test('a connection dropped mid-blob on pull is an error, never a short blob', async () => {
  const img = random.image(500_000, 1, { seed: 'drop' });
  await remote.write(`${host}/faults/drop:v1`, img);
  const layer = (await img.manifest()).layers[0]!;
  front.intercept = dropsMidBlob(layer, 1000);
  try {
    const [l] = await (await remote.image(`${host}/faults/drop:v1`)).layers();
    await assert.rejects(async () => {
      for await (const _ of await l!.compressed()) {
        // drain
      }
    });
  } finally {
    front.intercept = undefined;
  }
});

test('a manifest over the 100 MiB cap is refused without being held whole', async () => {
  front.intercept = (req, res) => {
    if (!req.url?.includes('/manifests/huge')) return false;
    res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
    const chunk = Buffer.alloc(1024 * 1024, 32);
    let sent = 0;
    const pump = () => {
      while (sent < 101 && res.write(chunk)) sent++;
      if (sent >= 101) res.end();
      else res.once('drain', pump);
    };
    pump();
    return true;
  };
  try {
    await assert.rejects(remote.get(`${host}/faults/x:huge`), (e: { code?: string }) => e.code === 'ERR_TOO_LARGE');
  } finally {
    front.intercept = undefined;
  }
});

test('an upload Location pointing at a private address is refused (SSRF)', async () => {
  front.intercept = (req, res) => {
    if (req.method !== 'POST' || !req.url?.includes('/blobs/uploads/')) return false;
    req.resume();
    res.writeHead(202, { Location: 'http://169.254.169.254/latest/meta-data/', 'Content-Length': '0' });
    res.end();
    return true;
  };
  try {
    await assert.rejects(remote.write(`${host}/faults/ssrf:v1`, random.image(2 * 1024 * 1024, 1, { seed: 'ssrf' })), (e: { code?: string }) => e.code === 'ERR_UNSAFE_URL');
  } finally {
    front.intercept = undefined;
  }
});

test('a foreign layer is fetched from its urls when the registry lacks it, and verified', async () => {
  const { Hash } = await import('../v1/hash.ts');
  const types = await import('../types/index.ts');
  const staticLayer = await import('../static/index.ts');
  const { Repository } = await import('../name/index.ts');
  const blob = Buffer.from('foreign layer bytes, served elsewhere');
  const digest = Hash.of(blob);
  const config = Buffer.from('{"architecture":"amd64","os":"windows","rootfs":{"type":"layers","diff_ids":[]},"config":{}}');
  await remote.writeLayer(Repository.parse(`${host}/faults/foreign`), staticLayer.newLayer(config, types.DockerConfigJSON));
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: types.DockerManifestSchema2,
    config: { mediaType: types.DockerConfigJSON, size: config.length, digest: Hash.of(config).toString() },
    layers: [{ mediaType: types.DockerForeignLayer, size: blob.length, digest: digest.toString(), urls: [`http://${host}/foreign/layer`] }],
  }));
  await remote.put(`${host}/faults/foreign:v1`, { raw: manifest, mediaType: types.DockerManifestSchema2 });
  let served = 0;
  front.intercept = (req, res) => {
    if (req.url !== '/foreign/layer') return false;
    served++;
    res.writeHead(200, { 'Content-Length': String(blob.length) });
    res.end(blob);
    return true;
  };
  try {
    const [l] = await (await remote.image(`${host}/faults/foreign:v1`)).layers();
    const chunks: Buffer[] = [];
    for await (const c of await l!.compressed()) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), blob);
    assert.equal(served, 1);
  } finally {
    front.intercept = undefined;
  }
});

test('a tags page that is not JSON (a proxy\'s HTML) is BadDocumentError naming the page', async () => {
  front.intercept = (req, res) => {
    if (!req.url?.includes('/tags/list')) return false;
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>maintenance</html>');
    return true;
  };
  try {
    await assert.rejects(remote.list(`${host}/faults/html`), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ERR_BAD_DOCUMENT');
      assert.match(err.message, /page http:\/\/.+\/v2\/faults\/html\/tags\/list.* is not valid JSON/);
      return true;
    });
  } finally {
    front.intercept = undefined;
  }
});
