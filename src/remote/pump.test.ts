// A registry blob over plain HTTP goes from the socket's buffer to the layout's file through a
// pump (internal/pump, transport/wire.ts): the bytes, the progress and the failures it must keep.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import * as remote from './index.ts';
import * as layout from '../layout/index.ts';
import * as random from '../random/index.ts';
import * as validate from '../validate/index.ts';
import * as empty from '../empty/index.ts';
import { pumpOf } from '../internal/pump/index.ts';
import { dropsMidBlob, startFrontedRegistry, type FrontedRegistry } from '../registry/fronted.test-fixtures.ts';

let front: FrontedRegistry;
let dir = '';
const img = random.image(300_000, 3, { seed: 'pump' });

before(async () => {
  front = await startFrontedRegistry();
  dir = await mkdtemp(join(tmpdir(), 'remote-pump-'));
  await remote.write(`${front.host}/pump/img:v1`, img);
});
after(async () => {
  await front.close();
  await rm(dir, { recursive: true, force: true });
});

test('a caller\'s dispatcher sees every request, blobs too; the layer is still pumped into a layout, verified', async () => {
  const seen: string[] = [];
  class CountingAgent extends Agent {
    override dispatch(options: Agent.DispatchOptions, handler: Parameters<Agent['dispatch']>[1]): boolean {
      seen.push(`${options.method} ${options.path}`);
      return super.dispatch(options, handler);
    }
  }
  const agent = new CountingAgent();
  try {
    const pulled = await remote.image(`${front.host}/pump/img:v1`, { dispatcher: agent });
    const [l] = await pulled.layers();
    const body = await l!.compressed();
    assert.ok(pumpOf(body), 'an undici body is pumped as a Readable');
    body.destroy();
    const lp = await layout.fromPath(await layoutAt(join(dir, 'via-agent')));
    await lp.appendImage(pulled);
    await validate.image(await lp.image(await img.digest()));
    const blobs = (await img.manifest()).layers.map((d) => `GET /v2/pump/img/blobs/${d.digest}`);
    for (const b of blobs) assert.ok(seen.includes(b), `${b} went through the caller's dispatcher`);
  } finally {
    await agent.close();
  }
});

test('pulled into a layout through the pump: the same image, every byte counted once', async () => {
  const updates: { complete: number; total: number }[] = [];
  const pulled = await remote.image(`${front.host}/pump/img:v1`, { onProgress: (u) => updates.push(u) });
  const lp = await layout.fromPath(await layoutAt(join(dir, 'whole')));
  await lp.appendImage(pulled);
  const back = await lp.image(await pulled.digest());
  assert.equal((await back.digest()).toString(), (await img.digest()).toString());
  await validate.image(back);
  const layerBytes = (await img.manifest()).layers.reduce((n, l) => n + l.size, 0);
  assert.equal(Math.max(...updates.map((u) => u.complete)), layerBytes, 'progress reached every layer byte');
});

test('a connection dropped mid-blob fails the write with ERR_CONNECTION_CLOSED and leaves no blob and no temp file', async () => {
  const bad = (await img.manifest()).layers[1]!;
  front.intercept = dropsMidBlob(bad, 50_000);
  try {
    const lp = await layout.fromPath(await layoutAt(join(dir, 'dropped')));
    const pulled = await remote.image(`${front.host}/pump/img:v1`, { retry: { attempts: 1 } });
    await assert.rejects(lp.writeImage(pulled), (err: { code?: string; message?: string }) => {
      assert.equal(err.code, 'ERR_CONNECTION_CLOSED');
      assert.match(err.message!, /after 50000 of \d+ body bytes/);
      return true;
    });
    await assertNothingLeft(lp.path, bad.digest.hex);
  } finally {
    front.intercept = undefined;
  }
});

/** Neither the failed blob under its name nor a temp file is left in the layout. */
async function assertNothingLeft(path: string, hex: string): Promise<void> {
  const blobs = await readdir(join(path, 'blobs', 'sha256'));
  assert.ok(!blobs.includes(hex), 'the failed blob is not under its name');
  assert.deepEqual(blobs.filter((b) => b.startsWith('.tmp-')), [], 'no temp file left');
}

async function layoutAt(path: string): Promise<string> {
  await layout.write(path, empty.index());
  return path;
}

test('large blobs are hashed off the main thread as they land: right bytes kept, a flipped byte refused before the rename', async () => {
  const big = random.image(1_500_000, 2, { seed: 'pump-big' });
  await remote.write(`${front.host}/pump/big:v1`, big);
  const lp = await layout.fromPath(await layoutAt(join(dir, 'big')));
  await lp.appendImage(await remote.image(`${front.host}/pump/big:v1`));
  await validate.image(await lp.image(await big.digest()));

  const bad = (await big.manifest()).layers[0]!;
  const bytes = Buffer.concat(await (await (await big.layerByDigest(bad.digest)).compressed()).toArray());
  bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
  front.intercept = (req, res) => {
    if (req.method !== 'GET' || !req.url?.endsWith(bad.digest.toString())) return false;
    res.writeHead(200, { 'Content-Length': String(bytes.length) });
    res.end(bytes);
    return true;
  };
  try {
    const lp2 = await layout.fromPath(await layoutAt(join(dir, 'big-corrupt')));
    await assert.rejects(lp2.writeImage(await remote.image(`${front.host}/pump/big:v1`)), (err: { code?: string; message?: string }) => {
      assert.equal(err.code, 'ERR_DIGEST_MISMATCH');
      assert.match(err.message!, new RegExp(`^digest mismatch for blob ${bad.digest}: expected ${bad.digest}, got sha256:`));
      return true;
    });
    await assertNothingLeft(lp2.path, bad.digest.hex);
  } finally {
    front.intercept = undefined;
  }
});
