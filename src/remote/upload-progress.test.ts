// Push progress against a registry that makes the client send a body again: a monolithic POST
// retried after a 503, and a PATCH resumed from the offset the registry reports. Each blob
// counts once, so the overall count reaches the total only when every blob is there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as remote from './index.ts';
import * as random from '../random/index.ts';
import type { Image } from '../v1/interfaces.ts';
import type { BlobUpdate, Update } from '../v1/progress.ts';
import { startFrontedRegistry, type FrontedRegistry } from '../registry/fronted.test-fixtures.ts';

let front: FrontedRegistry;

before(async () => {
  front = await startFrontedRegistry();
});
after(() => front.close());

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Answers one of the layer's upload requests itself (returning true), or lets the registry do it. */
type Fault = (req: IncomingMessage, res: ServerResponse, layerDigest: string) => boolean;

/**
 * Pushes a one-layer image while `fault` disturbs the layer's upload and the config's HEAD is
 * held until the registry has answered the request that completes the layer. Until then only
 * layer bytes can have been counted: `atRelease` is the last update before the config went.
 */
async function pushHoldingConfig(name: string, img: Image, fault: Fault) {
  const config = (await img.configName()).toString();
  const layer = (await img.manifest()).layers[0]!;
  const layerDigest = layer.digest.toString();
  const updates: Update[] = [];
  const blobs: BlobUpdate[] = [];
  let atRelease: Update | undefined;
  let release!: () => void;
  const layerIn = new Promise<void>((r) => (release = r));
  front.intercept = (req, res) => {
    if (req.method === 'HEAD' && req.url?.endsWith(`/blobs/${config}`)) {
      void layerIn.then(() => {
        atRelease = updates.at(-1);
        front.registry.handler(req, res);
      });
      return true;
    }
    if (fault(req, res, layerDigest)) return true;
    const completes = new URL(req.url ?? '/', 'http://x').searchParams.get('digest') === layerDigest;
    if (completes && (req.method === 'PUT' || req.method === 'POST')) res.on('finish', release);
    return false;
  };
  try {
    await remote.write(`${front.host}/progress/${name}:v1`, img, {
      onProgress: (u) => updates.push(u),
      onBlobProgress: (u) => blobs.push(u),
      retry: { initialDelayMs: 1 },
    });
  } finally {
    front.intercept = undefined;
  }
  const realTotal = layer.size + (await img.rawConfigFile()).length;
  return { updates, layerUpdates: blobs.filter((b) => b.digest === layerDigest), atRelease, realTotal, layerSize: layer.size };
}

function assertCountedOnce(r: Awaited<ReturnType<typeof pushHoldingConfig>>): void {
  assert.ok(r.atRelease, 'the config waited for the layer');
  assert.equal(r.atRelease.complete, r.layerSize, `before the config was sent, only the layer counted: ${JSON.stringify(r.atRelease)}`);
  let last = 0;
  for (const u of r.updates) {
    assert.ok(u.complete >= last, `monotonic: ${u.complete} after ${last}`);
    assert.ok(u.complete <= u.total && u.total <= r.realTotal, `within the real total ${r.realTotal}: ${JSON.stringify(u)}`);
    last = u.complete;
  }
  assert.deepEqual(r.updates.at(-1), { total: r.realTotal, complete: r.realTotal });
  let blobLast = 0;
  for (const b of r.layerUpdates) {
    assert.ok(b.complete >= blobLast && b.complete <= r.layerSize, JSON.stringify(b));
    blobLast = b.complete;
  }
  assert.equal(blobLast, r.layerSize);
}

test('a monolithic POST retried after a 503 counts its bytes once', async () => {
  const img = random.image(300_000, 1, { seed: 'progress-retry' });
  assert.ok((await img.manifest()).layers[0]!.size <= remote.MONOLITHIC_LIMIT);
  let posts = 0;
  const r = await pushHoldingConfig('retry', img, (req, res, layerDigest) => {
    if (req.method !== 'POST' || !req.url?.includes(`digest=${layerDigest}`)) return false;
    if (++posts > 1) return false;
    // The whole body arrives (the client has sent it all) before the registry gives up.
    void bodyOf(req).then(() => res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAVAILABLE","message":"busy"}]}'));
    return true;
  });
  assert.equal(posts, 2, 'the POST was sent again');
  assertCountedOnce(r);
});

test('a PATCH resumed from the offset the registry reports counts the resent bytes once', async () => {
  const img = random.image(1_500_000, 1, { seed: 'progress-resume' });
  const layerSize = (await img.manifest()).layers[0]!.size;
  assert.ok(layerSize > remote.MONOLITHIC_LIMIT);
  const kept = 400_000;
  let patches = 0;
  const r = await pushHoldingConfig('resume', img, (req) => {
    if (req.method !== 'PATCH' || ++patches > 1) return false;
    void (async () => {
      // Every byte is read (and so was sent), the registry keeps the first `kept`, and the
      // connection breaks before an answer: the client asks where the upload is and resumes.
      const all = await bodyOf(req);
      const res = await fetch(`http://${front.host}${req.url}`, { method: 'PATCH', headers: { 'Content-Type': 'application/octet-stream' }, body: all.subarray(0, kept) });
      await res.arrayBuffer();
      req.socket.destroy();
    })();
    return true;
  });
  assert.ok(front.seen.some((s) => s.startsWith('GET /v2/progress/resume/blobs/uploads/')), 'asked the registry where the upload was');
  assert.equal(patches, 3, 'the first PATCH, the registry keeping a part, the resumed PATCH');
  assertCountedOnce(r);
});
