// The registry's ggcr-style options at the HTTP level: referrers API on/off, the Warning header,
// a self-signed TLS listener, blob redirects, and which layers a manifest PUT may leave out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { get } from 'node:https';
import { create, listen, type ListenOptions, type RunningRegistry } from './server.ts';
import { InvalidArgumentError } from '../errors/index.ts';
import * as types from '../types/index.ts';

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function call(reg: RunningRegistry, method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer | string } = {}) {
  const res = await fetch(`${reg.url}${path}`, {
    method,
    headers: init.headers ?? {},
    redirect: 'manual',
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, json: () => JSON.parse(body.toString()) as Record<string, unknown> };
}

const errorCode = (r: { json: () => Record<string, unknown> }) => (r.json()['errors'] as { code: string }[])[0]!.code;

async function pushBlob(reg: RunningRegistry, repo: string, data: Buffer): Promise<string> {
  const r = await call(reg, 'POST', `/v2/${repo}/blobs/uploads/?digest=${sha(data)}`, { body: data });
  assert.equal(r.status, 201, r.body.toString());
  return sha(data);
}

async function putManifest(reg: RunningRegistry, repo: string, ref: string, doc: unknown, mediaType: string) {
  return call(reg, 'PUT', `/v2/${repo}/manifests/${ref}`, { body: JSON.stringify(doc), headers: { 'Content-Type': mediaType } });
}

async function withRegistry(options: ListenOptions, body: (reg: RunningRegistry) => Promise<void>): Promise<void> {
  const reg = await listen(options);
  try {
    await body(reg);
  } finally {
    await reg.close();
  }
}

/** Pushes a subject image and an artifact that refers to it; returns the artifact PUT's answer. */
async function pushReferrer(reg: RunningRegistry) {
  const config = Buffer.from('{}');
  const configDigest = await pushBlob(reg, 'refs', config);
  const subjectDoc = { schemaVersion: 2, mediaType: types.OCIManifestSchema1, config: { mediaType: types.OCIEmptyJSON, size: 2, digest: configDigest }, layers: [] };
  const subject = await putManifest(reg, 'refs', 'app', subjectDoc, types.OCIManifestSchema1);
  assert.equal(subject.status, 201, subject.body.toString());
  const subjectDigest = subject.headers.get('docker-content-digest')!;
  const artifact = {
    ...subjectDoc,
    artifactType: 'application/vnd.example.signature',
    subject: { mediaType: types.OCIManifestSchema1, size: JSON.stringify(subjectDoc).length, digest: subjectDigest },
  };
  const put = await putManifest(reg, 'refs', sha(JSON.stringify(artifact)), artifact, types.OCIManifestSchema1);
  assert.equal(put.status, 201, put.body.toString());
  return { put, subjectDigest };
}

test('referrers API on by default: OCI-Subject on PUT, 200 index on GET', async () => {
  await withRegistry({}, async (reg) => {
    const { put, subjectDigest } = await pushReferrer(reg);
    assert.equal(put.headers.get('oci-subject'), subjectDigest);
    const list = await call(reg, 'GET', `/v2/refs/referrers/${subjectDigest}`);
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('content-type'), types.OCIImageIndex);
    assert.equal((list.json()['manifests'] as unknown[]).length, 1);
  });
});

test('referrers: false answers the API 404 and omits OCI-Subject', async () => {
  await withRegistry({ referrers: false }, async (reg) => {
    const { put, subjectDigest } = await pushReferrer(reg);
    assert.equal(put.headers.get('oci-subject'), null);
    const list = await call(reg, 'GET', `/v2/refs/referrers/${subjectDigest}`);
    assert.equal(list.status, 404);
    // The rest of the API is unaffected.
    assert.equal((await call(reg, 'GET', `/v2/refs/manifests/${subjectDigest}`)).status, 200);
  });
});

test('warning with probability 1 is on every /v2 answer, errors included, quoted', async () => {
  await withRegistry({ warning: { message: 'say "hi"' } }, async (reg) => {
    const base = await call(reg, 'GET', '/v2/');
    assert.equal(base.headers.get('warning'), '299 - "say \\"hi\\""');
    const missing = await call(reg, 'GET', '/v2/nothing/manifests/latest');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('warning'), '299 - "say \\"hi\\""');
    // Outside the API (an extra route's territory) nothing is added.
    assert.equal((await call(reg, 'GET', '/elsewhere')).headers.get('warning'), null);
  });
});

test('warning with probability 0 is never sent', async () => {
  await withRegistry({ warning: { message: 'never', probability: 0 } }, async (reg) => {
    for (let i = 0; i < 5; i++) assert.equal((await call(reg, 'GET', '/v2/')).headers.get('warning'), null);
  });
});

test('an unusable warning is refused when the registry is made', async () => {
  await assert.rejects(create({ warning: { message: 'two\nlines' } }), InvalidArgumentError);
  await assert.rejects(create({ warning: { message: 'ok', probability: 1.5 } }), InvalidArgumentError);
  await assert.rejects(create({ warning: { message: 'ok', probability: Number.NaN } }), InvalidArgumentError);
});

function httpsStatus(url: string, ca?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, ca === undefined ? {} : { ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

test("tls: 'self-signed' serves https with a certificate the caller can trust", async () => {
  await withRegistry({ tls: 'self-signed' }, async (reg) => {
    assert.match(reg.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(reg.certificate, 'the certificate is given back');
    const cert = new X509Certificate(reg.certificate);
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(cert.checkHost('localhost'), 'localhost');
    assert.equal(await httpsStatus(`${reg.url}/v2/`, reg.certificate), 200);
    await assert.rejects(httpsStatus(`${reg.url}/v2/`), /self[- ]signed|unable to verify|certificate/i);
  });
});

test('a plain listener has no certificate', async () => {
  await withRegistry({}, async (reg) => {
    assert.match(reg.url, /^http:\/\//);
    assert.equal(reg.certificate, undefined);
  });
});

test('blobRedirect sends GET and HEAD of a present blob elsewhere; undefined serves it', async () => {
  const seen: string[] = [];
  const options: ListenOptions = {
    blobRedirect: (repository, digest, method) => {
      seen.push(`${method} ${repository}`);
      if (repository === 'moved') return { location: `https://blobs.example/${digest}` };
      if (repository === 'gone') return { location: `https://old.example/${digest}`, status: 301 };
      return undefined;
    },
  };
  await withRegistry(options, async (reg) => {
    const data = Buffer.from('redirected bytes');
    const d = await pushBlob(reg, 'moved', data);
    await pushBlob(reg, 'gone', data);
    await pushBlob(reg, 'here', data);
    for (const method of ['GET', 'HEAD']) {
      const r = await call(reg, method, `/v2/moved/blobs/${d}`);
      assert.equal(r.status, 307);
      assert.equal(r.headers.get('location'), `https://blobs.example/${d}`);
      assert.equal(r.body.length, 0);
    }
    const permanent = await call(reg, 'GET', `/v2/gone/blobs/${d}`);
    assert.equal(permanent.status, 301);
    assert.equal(permanent.headers.get('location'), `https://old.example/${d}`);
    const served = await call(reg, 'GET', `/v2/here/blobs/${d}`);
    assert.equal(served.status, 200);
    assert.deepEqual(served.body, data);
    // A blob the repository lacks is unknown there, whatever the redirector would say.
    const absent = await call(reg, 'GET', `/v2/moved/blobs/${sha('absent')}`);
    assert.equal(absent.status, 404);
    assert.equal(errorCode(absent), 'BLOB_UNKNOWN');
    assert.deepEqual(seen, ['GET moved', 'HEAD moved', 'GET gone', 'GET here']);
  });
});

test('manifest PUT may leave out foreign layers only, not ordinary layers with urls', async () => {
  await withRegistry({}, async (reg) => {
    const config = Buffer.from('{"architecture":"amd64","os":"windows"}');
    const configDigest = await pushBlob(reg, 'win', config);
    const absent = Buffer.from('layer bytes the registry never received');
    const image = (mediaType: string) => ({
      schemaVersion: 2,
      mediaType: types.DockerManifestSchema2,
      config: { mediaType: types.DockerConfigJSON, size: config.length, digest: configDigest },
      layers: [{ mediaType, size: absent.length, digest: sha(absent), urls: ['https://layers.example/base.tar.gz'] }],
    });
    const foreign = await putManifest(reg, 'win', 'foreign', image(types.DockerForeignLayer), types.DockerManifestSchema2);
    assert.equal(foreign.status, 201, foreign.body.toString());
    const ordinary = await putManifest(reg, 'win', 'ordinary', image(types.DockerLayer), types.DockerManifestSchema2);
    assert.equal(ordinary.status, 400, ordinary.body.toString());
    assert.equal(errorCode(ordinary), 'MANIFEST_BLOB_UNKNOWN');
    assert.equal((await call(reg, 'HEAD', '/v2/win/manifests/ordinary')).status, 404);
  });
});

test('a manifest naming another repository\'s blob (as a foreign layer) does not make it readable there', async () => {
  await withRegistry({}, async (reg) => {
    const secret = Buffer.from('bytes only the private repository holds');
    const secretDigest = await pushBlob(reg, 'private', secret);
    const config = Buffer.from('{"architecture":"amd64","os":"windows"}');
    const configDigest = await pushBlob(reg, 'mine', config);
    const manifest = {
      schemaVersion: 2,
      mediaType: types.DockerManifestSchema2,
      config: { mediaType: types.DockerConfigJSON, size: config.length, digest: configDigest },
      layers: [{ mediaType: types.DockerForeignLayer, size: secret.length, digest: secretDigest }],
    };
    assert.equal((await putManifest(reg, 'mine', 'v1', manifest, types.DockerManifestSchema2)).status, 201);
    const read = await call(reg, 'GET', `/v2/mine/blobs/${secretDigest}`);
    assert.equal(read.status, 404);
    assert.equal(errorCode(read), 'BLOB_UNKNOWN');
    assert.equal((await call(reg, 'GET', `/v2/private/blobs/${secretDigest}`)).status, 200);
  });
});
