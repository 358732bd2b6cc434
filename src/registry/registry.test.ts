// The registry at the HTTP level: every distribution-spec route, the upload protocol in all its
// forms, visibility, pagination, referrers and the error answers for bad input.
import { test, before, after, describe } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { listen, type RunningRegistry } from './server.ts';
import * as random from '../random/index.ts';
import * as types from '../types/index.ts';
import type { Image } from '../v1/interfaces.ts';

let reg: RunningRegistry;

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function call(method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer | string } = {}) {
  const res = await fetch(`${reg.url}${path}`, { method, headers: init.headers ?? {}, ...(init.body !== undefined ? { body: init.body } : {}) });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body, json: () => JSON.parse(body.toString()) as Record<string, unknown> };
}

async function errorCode(r: { json: () => Record<string, unknown> }): Promise<string> {
  return ((r.json()['errors'] as { code: string }[])[0]!).code;
}

async function pushBlob(repo: string, data: Buffer): Promise<string> {
  const d = sha(data);
  const r = await call('POST', `/v2/${repo}/blobs/uploads/?digest=${d}`, { body: data, headers: { 'Content-Type': 'application/octet-stream' } });
  assert.equal(r.status, 201, r.body.toString());
  return d;
}

async function pushImage(repo: string, img: Image, tag: string): Promise<string> {
  await pushBlob(repo, await img.rawConfigFile());
  for (const l of await img.layers()) {
    const chunks: Buffer[] = [];
    for await (const c of await l.compressed()) chunks.push(c as Buffer);
    await pushBlob(repo, Buffer.concat(chunks));
  }
  const raw = await img.rawManifest();
  const r = await call('PUT', `/v2/${repo}/manifests/${tag}`, { body: raw, headers: { 'Content-Type': await img.mediaType() } });
  assert.equal(r.status, 201, r.body.toString());
  return r.headers.get('docker-content-digest')!;
}

for (const backend of ['memory', 'disk'] as const) {
  describe(`${backend} storage`, () => {
    let dir = '';
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'registry-http-'));
      reg = await listen(backend === 'disk' ? { storage: { disk: dir } } : {});
    });
    after(async () => {
      await reg?.close();
      await rm(dir, { recursive: true, force: true });
    });

test('GET /v2/ answers 200 with the API version header', async () => {
  const r = await call('GET', '/v2/');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('docker-distribution-api-version'), 'registry/2.0');
});

test('monolithic upload, HEAD, GET, ranges and DELETE of a blob', async () => {
  const data = Buffer.from('0123456789abcdef');
  const d = sha(data);
  const up = await call('POST', `/v2/mono/blobs/uploads/?digest=${d}`, { body: data });
  assert.equal(up.status, 201);
  assert.equal(up.headers.get('location'), `/v2/mono/blobs/${d}`);
  assert.equal(up.headers.get('docker-content-digest'), d);
  const head = await call('HEAD', `/v2/mono/blobs/${d}`);
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), '16');
  assert.equal(head.headers.get('docker-content-digest'), d);
  assert.deepEqual((await call('GET', `/v2/mono/blobs/${d}`)).body, data);
  const part = await call('GET', `/v2/mono/blobs/${d}`, { headers: { Range: 'bytes=2-5' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), 'bytes 2-5/16');
  assert.equal(part.body.toString(), '2345');
  assert.equal((await call('GET', `/v2/mono/blobs/${d}`, { headers: { Range: 'bytes=-3' } })).body.toString(), 'def');
  const bad = await call('GET', `/v2/mono/blobs/${d}`, { headers: { Range: 'bytes=16-20' } });
  assert.equal(bad.status, 416);
  assert.equal(bad.headers.get('content-range'), 'bytes */16');
  assert.equal((await call('DELETE', `/v2/mono/blobs/${d}`)).status, 202);
  const gone = await call('HEAD', `/v2/mono/blobs/${d}`);
  assert.equal(gone.status, 404);
});

test('chunked upload with Content-Range, status, out-of-order 416, resume and final PUT', async () => {
  const data = Buffer.from('hello chunked world!');
  const start = await call('POST', '/v2/chunks/blobs/uploads/');
  assert.equal(start.status, 202);
  const loc = start.headers.get('location')!;
  assert.match(loc, /^\/v2\/chunks\/blobs\/uploads\/[0-9a-f-]{36}$/);
  assert.ok(start.headers.get('docker-upload-uuid'));
  const p1 = await call('PATCH', loc, { body: data.subarray(0, 6), headers: { 'Content-Range': '0-5', 'Content-Type': 'application/octet-stream' } });
  assert.equal(p1.status, 202);
  assert.equal(p1.headers.get('range'), '0-5');
  const wrong = await call('PATCH', loc, { body: data.subarray(10, 12), headers: { 'Content-Range': '10-11' } });
  assert.equal(wrong.status, 416);
  assert.equal(await errorCode(wrong), 'BLOB_UPLOAD_INVALID');
  // Resume from what the registry reports.
  const status = await call('GET', loc);
  assert.equal(status.status, 204);
  assert.equal(status.headers.get('range'), '0-5');
  const p2 = await call('PATCH', loc, { body: data.subarray(6, 12), headers: { 'Content-Range': '6-11' } });
  assert.equal(p2.headers.get('range'), '0-11');
  const done = await call('PUT', `${loc}?digest=${sha(data)}`, { body: data.subarray(12), headers: { 'Content-Range': '12-19' } });
  assert.equal(done.status, 201, done.body.toString());
  assert.deepEqual((await call('GET', `/v2/chunks/blobs/${sha(data)}`)).body, data);
});

test('streamed PATCH without Content-Range, then PUT without a body', async () => {
  const data = Buffer.alloc(300_000, 7);
  const loc = (await call('POST', '/v2/streamed/blobs/uploads/')).headers.get('location')!;
  const p = await call('PATCH', loc, { body: data });
  assert.equal(p.headers.get('range'), `0-${data.length - 1}`);
  const done = await call('PUT', `${loc}?digest=${sha(data)}`);
  assert.equal(done.status, 201);
  assert.equal((await call('HEAD', `/v2/streamed/blobs/${sha(data)}`)).headers.get('content-length'), String(data.length));
});

test('a wrong digest at PUT is DIGEST_INVALID and nothing becomes visible', async () => {
  const loc = (await call('POST', '/v2/wrong/blobs/uploads/')).headers.get('location')!;
  const claimed = sha('something else');
  const r = await call('PUT', `${loc}?digest=${claimed}`, { body: 'actual bytes' });
  assert.equal(r.status, 400);
  assert.equal(await errorCode(r), 'DIGEST_INVALID');
  assert.equal((await call('HEAD', `/v2/wrong/blobs/${claimed}`)).status, 404);
  assert.equal((await call('HEAD', `/v2/wrong/blobs/${sha('actual bytes')}`)).status, 404);
  const mono = await call('POST', `/v2/wrong/blobs/uploads/?digest=${claimed}`, { body: 'actual bytes' });
  assert.equal(mono.status, 400);
  // A malformed digest on a monolithic POST is refused before any session is made.
  const malformed = await call('POST', '/v2/malformed/blobs/uploads/?digest=sha256:zz', { body: 'bytes' });
  assert.equal(malformed.status, 400);
  assert.equal(await errorCode(malformed), 'DIGEST_INVALID');
  const leftover = await reg.storage.gc({ dryRun: true, uploadsOlderThanMs: 0 });
  assert.deepEqual(leftover.uploads.filter((u) => u.startsWith('malformed/') || u.startsWith('wrong/')), []);
});

test('lying Content-Range or Content-Length changes nothing stored', async () => {
  const loc = (await call('POST', '/v2/liars/blobs/uploads/')).headers.get('location')!;
  await call('PATCH', loc, { body: 'abcde', headers: { 'Content-Range': '0-4' } });
  // The range says 10 bytes, the body has 5.
  const r = await call('PATCH', loc, { body: 'fghij', headers: { 'Content-Range': '5-14' } });
  assert.equal(r.status, 400);
  assert.equal(await errorCode(r), 'SIZE_INVALID');
  assert.equal((await call('GET', loc)).headers.get('range'), '0-4');
  // A Content-Length that promises more than arrives: the connection drops mid-body.
  await new Promise<void>((resolve, reject) => {
    const sock = connect(reg.port, '127.0.0.1', () => {
      sock.write(`PATCH ${loc} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nContent-Range: 5-104\r\n\r\nonly-eleven`);
      setTimeout(() => sock.destroy(), 50);
    });
    sock.on('close', () => resolve()).on('error', reject);
  });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await call('GET', loc)).headers.get('range'), '0-4', 'the partial chunk was rolled back');
  const done = await call('PUT', `${loc}?digest=${sha('abcdefghij')}`, { body: 'fghij', headers: { 'Content-Range': '5-9' } });
  assert.equal(done.status, 201, 'the upload resumes from where it really was');
});

test('a cancelled upload is gone; unknown upload ids are BLOB_UPLOAD_UNKNOWN', async () => {
  const loc = (await call('POST', '/v2/cancel/blobs/uploads/')).headers.get('location')!;
  assert.equal((await call('DELETE', loc)).status, 204);
  const after = await call('PATCH', loc, { body: 'x' });
  assert.equal(after.status, 404);
  assert.equal(await errorCode(after), 'BLOB_UPLOAD_UNKNOWN');
  assert.equal((await call('GET', '/v2/cancel/blobs/uploads/nosuchuploadid')).status, 404);
  assert.equal((await call('GET', '/v2/cancel/blobs/uploads/00000000-0000-4000-8000-000000000000')).status, 404);
});

test('blobs are visible per repository; mount makes them visible elsewhere, or falls back to a session', async () => {
  const d = await pushBlob('vis/a', Buffer.from('shared layer'));
  assert.equal((await call('HEAD', `/v2/vis/b/blobs/${d}`)).status, 404);
  const m = await call('POST', `/v2/vis/b/blobs/uploads/?mount=${d}&from=vis/a`);
  assert.equal(m.status, 201);
  assert.equal(m.headers.get('location'), `/v2/vis/b/blobs/${d}`);
  assert.equal((await call('HEAD', `/v2/vis/b/blobs/${d}`)).status, 200);
  const fallback = await call('POST', `/v2/vis/c/blobs/uploads/?mount=${d}&from=vis/nothing`);
  assert.equal(fallback.status, 202);
  assert.match(fallback.headers.get('location')!, /\/v2\/vis\/c\/blobs\/uploads\//);
});

test('manifests: PUT checks blobs, media type and JSON; GET/HEAD by tag and digest; DELETE', async () => {
  const img = random.image(1000, 2, { seed: 'm' });
  const raw = await img.rawManifest();
  const missing = await call('PUT', '/v2/man/manifests/v1', { body: raw, headers: { 'Content-Type': types.DockerManifestSchema2 } });
  assert.equal(missing.status, 400);
  assert.equal(await errorCode(missing), 'MANIFEST_BLOB_UNKNOWN');
  const digest = await pushImage('man', img, 'v1');
  assert.equal(digest, (await img.digest()).toString());
  for (const ref of ['v1', digest]) {
    const g = await call('GET', `/v2/man/manifests/${ref}`);
    assert.equal(g.status, 200);
    assert.deepEqual(g.body, raw);
    assert.equal(g.headers.get('content-type'), types.DockerManifestSchema2);
    assert.equal(g.headers.get('docker-content-digest'), digest);
    const h = await call('HEAD', `/v2/man/manifests/${ref}`);
    assert.equal(h.headers.get('content-length'), String(raw.length));
  }
  const mismatch = await call('PUT', '/v2/man/manifests/v2', { body: raw, headers: { 'Content-Type': types.OCIManifestSchema1 } });
  assert.equal(mismatch.status, 400);
  const notJSON = await call('PUT', '/v2/man/manifests/v2', { body: '{"schemaVersion":', headers: { 'Content-Type': types.OCIManifestSchema1 } });
  assert.equal(await errorCode(notJSON), 'MANIFEST_INVALID');
  const badDigest = await call('PUT', `/v2/man/manifests/${sha('x')}`, { body: raw, headers: { 'Content-Type': types.DockerManifestSchema2 } });
  assert.equal(await errorCode(badDigest), 'DIGEST_INVALID');
  const huge = await call('PUT', '/v2/man/manifests/big', { body: Buffer.alloc(5 * 1024 * 1024, 32), headers: { 'Content-Type': types.OCIManifestSchema1 } });
  assert.equal(huge.status, 413);
  assert.equal((await call('GET', '/v2/man/manifests/v2')).status, 404, 'nothing was stored by the failed PUTs');
  assert.equal((await call('DELETE', '/v2/man/manifests/v1')).status, 202);
  assert.equal((await call('GET', '/v2/man/manifests/v1')).status, 404);
  assert.equal((await call('GET', `/v2/man/manifests/${digest}`)).status, 200, 'deleting a tag keeps the manifest');
  assert.equal((await call('DELETE', `/v2/man/manifests/${digest}`)).status, 202);
  const gone = await call('GET', `/v2/man/manifests/${digest}`);
  assert.equal(gone.status, 404);
  assert.equal(await errorCode(gone), 'MANIFEST_UNKNOWN');
});

test('an index PUT needs its children in the repository', async () => {
  const idx = random.index(200, 1, 2, { seed: 'i', platforms: ['linux/amd64', 'linux/arm64'] });
  const raw = await idx.rawManifest();
  const early = await call('PUT', '/v2/idx/manifests/all', { body: raw, headers: { 'Content-Type': types.OCIImageIndex } });
  assert.equal(await errorCode(early), 'MANIFEST_BLOB_UNKNOWN');
  for (const d of (await idx.indexManifest()).manifests) await pushImage('idx', await idx.image(d.digest), d.digest.toString());
  const ok = await call('PUT', '/v2/idx/manifests/all', { body: raw, headers: { 'Content-Type': types.OCIImageIndex } });
  assert.equal(ok.status, 201);
});

test('tags and catalog paginate with n, last and Link', async () => {
  const img = random.image(10, 1, { seed: 'tags' });
  for (const t of ['a', 'b', 'c', 'd', 'e']) await pushImage('paged', img, t);
  const seen: string[] = [];
  let next: string | null = '/v2/paged/tags/list?n=2';
  while (next) {
    const r = await call('GET', next);
    assert.equal(r.status, 200);
    seen.push(...(r.json()['tags'] as string[]));
    const link = r.headers.get('link');
    next = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
  }
  assert.deepEqual(seen, ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual((await call('GET', '/v2/paged/tags/list?last=c')).json()['tags'], ['d', 'e']);
  assert.equal((await call('GET', '/v2/nosuchrepo/tags/list')).status, 404);
  const cat = await call('GET', '/v2/_catalog?n=1');
  assert.equal((cat.json()['repositories'] as string[]).length, 1);
  assert.match(cat.headers.get('link') ?? '', /^<\/v2\/_catalog\?n=1&last=[^>]+>; rel="next"$/);
  const all = (await call('GET', '/v2/_catalog')).json()['repositories'] as string[];
  assert.ok(all.includes('paged') && all.includes('man'));
  assert.deepEqual(all, [...all].sort());
});

test('referrers: OCI-Subject on PUT, listing, artifactType filter', async () => {
  const subject = random.image(10, 1, { seed: 'subject' });
  const subjectDigest = await pushImage('refs', subject, 'app');
  const emptyConfig = Buffer.from('{}');
  await pushBlob('refs', emptyConfig);
  const subjectSize = await subject.size();
  const mk = (artifactType: string) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: types.OCIManifestSchema1,
        artifactType,
        config: { mediaType: types.OCIEmptyJSON, size: 2, digest: sha(emptyConfig) },
        layers: [],
        subject: { mediaType: types.DockerManifestSchema2, size: subjectSize, digest: subjectDigest },
      }),
    );
  const sig = mk('application/vnd.example.signature');
  const sbom = mk('application/spdx+json');
  for (const body of [sig, sbom]) {
    const r = await call('PUT', `/v2/refs/manifests/${sha(body)}`, { body, headers: { 'Content-Type': types.OCIManifestSchema1 } });
    assert.equal(r.status, 201, r.body.toString());
    assert.equal(r.headers.get('oci-subject'), subjectDigest);
  }
  const list = await call('GET', `/v2/refs/referrers/${subjectDigest}`);
  assert.equal(list.status, 200);
  assert.equal(list.headers.get('content-type'), types.OCIImageIndex);
  const ms = list.json()['manifests'] as { digest: string; artifactType: string }[];
  assert.deepEqual(ms.map((m) => m.digest).sort(), [sha(sig), sha(sbom)].sort());
  const filtered = await call('GET', `/v2/refs/referrers/${subjectDigest}?artifactType=application/spdx%2Bjson`);
  assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
  assert.deepEqual((filtered.json()['manifests'] as { digest: string }[]).map((m) => m.digest), [sha(sbom)]);
  const none = await call('GET', `/v2/refs/referrers/${sha('no such subject')}`);
  assert.equal(none.status, 200);
  assert.deepEqual(none.json()['manifests'], []);
});

test('bad names and digests are rejected before anything is touched', async () => {
  // node:http sends the path as written (fetch would normalise the dot segments away).
  const raw = (method: string, path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port: reg.port, path, method }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      r.on('error', reject).end();
    });
  for (const path of ['/v2/UPPER/tags/list', '/v2/a/../b/tags/list', '/v2/a/%2e%2e/b/manifests/x', '/v2/-a/blobs/uploads/', '/v2/a//b/tags/list']) {
    const r = await raw(path.endsWith('uploads/') ? 'POST' : 'GET', path);
    assert.equal(r.status, 400, path);
    assert.equal((JSON.parse(r.body) as { errors: { code: string }[] }).errors[0]!.code, 'NAME_INVALID', path);
  }
  const r = await call('GET', '/v2/ok/blobs/sha256:zz');
  assert.equal(await errorCode(r), 'DIGEST_INVALID');
  // A reference that is neither a tag nor a digest names no manifest: reads and deletes get 404
  // (the OCI conformance suite's "GET nonexistent manifest" uses `.INVALID_MANIFEST_NAME`), and
  // only storing a manifest under it is TAG_INVALID.
  for (const ref of ['bad%20tag', '.INVALID_MANIFEST_NAME', 'x'.repeat(129)]) {
    for (const method of ['GET', 'DELETE']) {
      const t = await call(method, `/v2/ok/manifests/${ref}`);
      assert.equal(t.status, 404, `${method} ${ref}`);
      assert.equal(await errorCode(t), 'MANIFEST_UNKNOWN', `${method} ${ref}`);
    }
    assert.equal((await call('HEAD', `/v2/ok/manifests/${ref}`)).status, 404, `HEAD ${ref}`);
    const put = await call('PUT', `/v2/ok/manifests/${ref}`, { body: '{}', headers: { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' } });
    assert.equal(put.status, 400, `PUT ${ref}`);
    assert.equal(await errorCode(put), 'TAG_INVALID', `PUT ${ref}`);
  }
  const badDigest = await call('GET', '/v2/ok/manifests/sha256:totallywrong');
  assert.equal(badDigest.status, 400);
  assert.equal(await errorCode(badDigest), 'DIGEST_INVALID');
});
  });
}
