// Puller and Pusher: many calls, one ping and one transport per repository; blobs shared by
// images pushed through one Pusher are sent once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as remote from './index.ts';
import * as random from '../random/index.ts';
import { buffer as drain } from 'node:stream/consumers';
import { startFrontedRegistry, type FrontedRegistry } from '../registry/fronted.test-fixtures.ts';

let front: FrontedRegistry;
let host = '';
let seen: string[] = [];

before(async () => {
  front = await startFrontedRegistry();
  host = front.host;
  seen = front.seen;
});
after(() => front.close());

const pings = () => seen.filter((s) => s === 'GET /v2/').length;

test('a Pusher pings once per repository and sends a shared layer once across pushes', async () => {
  const base = random.image(4096, 2, { seed: 'pusher-base' });
  const layers = await base.layers();
  const other = random.image(2048, 1, { seed: 'pusher-other' });
  seen.length = 0;
  const pusher = new remote.Pusher();
  await pusher.push(`${host}/sessions/app:v1`, base);
  for (const l of layers) await pusher.upload(`${host}/sessions/app`, l);
  await pusher.push(`${host}/sessions/app:v2`, other);
  assert.equal(pings(), 1);
  for (const l of layers) {
    const d = (await l.digest()).toString();
    const uploads = seen.filter((s) => s.startsWith('POST /v2/sessions/app/blobs/uploads/') && s.includes(encodeURIComponent(d)) || s === `HEAD /v2/sessions/app/blobs/${d}`);
    assert.equal(uploads.length, 1, `layer ${d} was checked or sent once: ${uploads.join(', ')}`);
  }
  await pusher.push(`${host}/sessions/other:v1`, other);
  assert.equal(pings(), 2, 'a second repository gets its own transport');
});

test('a Puller reuses one transport for many reads of a repository', async () => {
  const img = random.image(1024, 1, { seed: 'puller' });
  await remote.write(`${host}/sessions/pull:v1`, img);
  seen.length = 0;
  const puller = new remote.Puller();
  const digest = (await puller.head(`${host}/sessions/pull:v1`)).digest;
  assert.ok(digest.equals(await img.digest()));
  assert.deepEqual(await puller.list(`${host}/sessions/pull`), ['v1']);
  const got = await puller.image(`${host}/sessions/pull@${digest}`);
  assert.ok((await got.configName()).equals(await img.configName()));
  assert.equal(pings(), 1);
});

test('a Puller does not remember a failed handshake', async () => {
  const img = random.image(512, 1, { seed: 'puller-retry' });
  await remote.write(`${host}/sessions/flaky:v1`, img);
  let refused = false;
  const flaky = createServer((req, res) => {
    if (!refused && req.url === '/v2/') {
      refused = true;
      res.writeHead(401); // no challenge: the handshake fails with AuthChallengeError
      return res.end();
    }
    front.registry.handler(req, res);
  });
  await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', () => r()));
  const flakyHost = `127.0.0.1:${(flaky.address() as AddressInfo).port}`;
  try {
    const puller = new remote.Puller();
    await assert.rejects(puller.head(`${flakyHost}/sessions/flaky:v1`), { code: 'ERR_AUTH_CHALLENGE' });
    const d = await puller.head(`${flakyHost}/sessions/flaky:v1`);
    assert.ok(d.digest.equals(await img.digest()), 'the second call made a new transport');
  } finally {
    flaky.closeAllConnections();
    await new Promise<void>((r) => flaky.close(() => r()));
  }
});

/** Progress updates are monotonic, never over their total, and end complete. */
function assertOneFigure(updates: { total: number; complete: number }[], total: number): void {
  for (const [i, u] of updates.entries()) {
    assert.ok(u.complete <= u.total, `update ${i}: ${JSON.stringify(u)}`);
    if (i > 0) {
      const p = updates[i - 1]!;
      assert.ok(u.complete >= p.complete && u.total >= p.total, `update ${i} went back: ${JSON.stringify(p)} → ${JSON.stringify(u)}`);
    }
  }
  assert.deepEqual(updates.at(-1), { total, complete: total });
}

test('a Pusher, a Puller and multiWrite each report one overall figure across their calls', async () => {
  const a = random.image(30_000, 2, { seed: 'progress-a' });
  const b = random.image(20_000, 1, { seed: 'progress-b' });
  const blobs = async (img: typeof a) => (await img.manifest()).layers.reduce((n, l) => n + l.size, (await img.manifest()).config.size);
  const both = (await blobs(a)) + (await blobs(b));

  const pushed: { total: number; complete: number }[] = [];
  const pusher = new remote.Pusher({ onProgress: (u) => pushed.push(u) });
  await pusher.push(`${host}/progress/one:a`, a);
  await pusher.push(`${host}/progress/two:b`, b);
  assertOneFigure(pushed, both);

  const written: { total: number; complete: number }[] = [];
  await remote.multiWrite(new Map([[`${host}/progress/three:a`, a], [`${host}/progress/four:b`, b]]), { onProgress: (u) => written.push(u) });
  assertOneFigure(written, both);

  const pulled: { total: number; complete: number }[] = [];
  const puller = new remote.Puller({ onProgress: (u) => pulled.push(u) });
  for (const ref of [`${host}/progress/one:a`, `${host}/progress/two:b`]) {
    for (const l of await (await puller.image(ref)).layers()) await drain(await l.compressed());
  }
  const layers = async (img: typeof a) => (await img.manifest()).layers.reduce((n, l) => n + l.size, 0);
  assertOneFigure(pulled, (await layers(a)) + (await layers(b)));
});
