import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DaemonError, NotFoundError } from '../errors/index.ts';
import { Tag } from '../name/index.ts';
import * as random from '../random/index.ts';
import { API_VERSION, lowerVersion, newClient } from './engine-client.ts';
import { fakeImageFor, startFakeEngine, type FakeEngine, type FakeImage } from './fake-engine.test-fixtures.ts';
import { buffer as collect } from 'node:stream/consumers';

let engine: FakeEngine;
let fixture: FakeImage;
const NAME = 'example.com/app:v1';

before(async () => {
  engine = await startFakeEngine();
  fixture = await fakeImageFor(random.image(2048, 2, { seed: 'client' }), Tag.parse(NAME));
  engine.add(fixture, NAME);
});
after(() => engine.close());

describe('API version negotiation', () => {
  test('the lower of ours and the daemon\'s, compared as numbers', () => {
    assert.equal(lowerVersion('1.47', '1.41'), '1.41');
    assert.equal(lowerVersion('1.47', '1.100'), '1.47');
    assert.equal(lowerVersion('1.9', '1.10'), '1.9');
    assert.equal(lowerVersion('1.47', 'garbage'), '1.47');
  });

  test('an older daemon is asked in its own version, after one ping for all calls', async () => {
    engine.behaviour.apiVersion = '1.41';
    engine.requests.length = 0;
    const client = newClient({ host: engine.host });
    await Promise.all([client.imageInspect(NAME), client.imageHistory(NAME), client.imageInspect(fixture.inspect.Id)]);
    assert.deepEqual(engine.requests.map((r) => r.url.split('/')[1]), ['_ping', 'v1.41', 'v1.41', 'v1.41']);
  });

  test('a newer daemon is asked in our version; one naming none in 1.24 as Docker\'s client does', async () => {
    engine.behaviour.apiVersion = '1.99';
    engine.requests.length = 0;
    await newClient({ host: engine.host }).imageInspect(NAME);
    assert.equal(engine.requests.at(-1)?.url.split('/')[1], `v${API_VERSION}`);
    engine.behaviour.apiVersion = null;
    const ping = await newClient({ host: engine.host }).ping();
    assert.deepEqual(ping, { apiVersion: '', osType: 'linux', negotiatedVersion: '1.24' });
    await newClient({ host: engine.host }).imageInspect(NAME);
    assert.equal(engine.requests.at(-1)?.url.split('/')[1], 'v1.24');
    engine.behaviour.apiVersion = '1.41';
  });

  test('a fixed version (option or DOCKER_API_VERSION) is used without a ping, and a too-new one is refused by the daemon', async () => {
    engine.requests.length = 0;
    await newClient({ host: engine.host, env: { DOCKER_API_VERSION: '1.30' } }).imageInspect(NAME);
    assert.deepEqual(engine.requests.map((r) => r.url.split('/')[1]), ['v1.30']);
    await assert.rejects(newClient({ host: engine.host, apiVersion: '1.45' }).imageInspect(NAME), (err: unknown) => {
      assert.ok(err instanceof DaemonError);
      assert.equal(err.status, 400);
      assert.equal(err.daemonMessage, 'client version 1.45 is too new. Maximum supported API version is 1.41');
      return true;
    });
  });
});

describe('calls and their errors', () => {
  test('inspect and history over the unix socket and over tcp', async () => {
    for (const host of [engine.host, engine.tcpHost]) {
      const client = newClient({ host });
      assert.equal((await client.imageInspect(NAME)).Id, fixture.inspect.Id);
      const history = await client.imageHistory(NAME);
      assert.deepEqual(history.map((h) => h.CreatedBy), fixture.history.map((h) => h.CreatedBy));
    }
  });

  test('a missing image is NotFoundError carrying the status and the daemon\'s message', async () => {
    await assert.rejects(newClient({ host: engine.host }).imageInspect('example.com/none:x'), (err: unknown) => {
      assert.ok(err instanceof NotFoundError);
      assert.match(err.message, /GET unix:\/\/\/.*\/images\/example\.com\/none:x\/json: 404: No such image: example\.com\/none:x$/);
      assert.ok(err.cause instanceof DaemonError);
      assert.equal(err.cause.status, 404);
      assert.equal(err.cause.daemonMessage, 'No such image: example.com/none:x');
      return true;
    });
  });

  test('an error answer that is not JSON is shown as text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'containerregistry-engine-text-'));
    const server = createServer((req, res) => {
      if (req.url === '/_ping') {
        res.writeHead(200, { 'api-version': '1.41' });
        res.end('OK');
        return;
      }
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<h1>bad gateway</h1>');
    });
    await new Promise<void>((r) => server.listen(join(dir, 's.sock'), r));
    try {
      await assert.rejects(newClient({ host: `unix://${join(dir, 's.sock')}` }).imageInspect('x'), (err: unknown) => {
        assert.ok(err instanceof DaemonError);
        assert.equal(err.status, 502);
        assert.match(err.message, /: 502: <h1>bad gateway<\/h1>$/);
        return true;
      });
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('no daemon at the address: DaemonError naming it, no status', async () => {
    const host = `unix://${join(tmpdir(), 'containerregistry-no-such-dir', 'docker.sock')}`;
    await assert.rejects(newClient({ host }).imageInspect('x'), (err: unknown) => {
      assert.ok(err instanceof DaemonError);
      assert.equal(err.status, undefined);
      assert.ok(err.message.includes(host), err.message);
      assert.match(err.message, /is the Docker daemon running/);
      return true;
    });
  });

  test('save streams the tarball; a save that breaks off fails the stream with DaemonError', async () => {
    const client = newClient({ host: engine.host });
    assert.deepEqual(await collect(await client.imageSave([fixture.inspect.Id])), fixture.tarball);
    engine.behaviour.save = 'drop';
    try {
      await assert.rejects(collect(await client.imageSave([fixture.inspect.Id])), (err: unknown) => {
        assert.ok(err instanceof DaemonError);
        assert.match(err.message, /docker save of sha256:[0-9a-f]{64}.*broke off after \d+ bytes/);
        return true;
      });
    } finally {
      engine.behaviour.save = 'ok';
    }
  });

  test('tag sends the repository and tag; names with slashes, colons and digests stay readable in the path', async () => {
    const client = newClient({ host: engine.host });
    await client.imageTag(NAME, 'example.com/other/app', 'v2');
    assert.equal(engine.images.get('example.com/other/app:v2')?.inspect.Id, fixture.inspect.Id);
    assert.match(engine.requests.at(-1)?.url ?? '', /^\/v1\.41\/images\/example\.com\/app:v1\/tag\?repo=example\.com%2Fother%2Fapp&tag=v2$/);
    await assert.rejects(client.imageTag('example.com/none:x', 'a', 'b'), NotFoundError);
  });
});

describe('load', () => {
  test('streams the tarball and returns the daemon\'s answer', async () => {
    const other = await fakeImageFor(random.image(1024, 1, { seed: 'load' }), Tag.parse('example.com/loaded:1'));
    const text = await newClient({ host: engine.host }).imageLoad(Readable.from([other.tarball!]));
    assert.equal(text, '{"stream":"Loaded image: example.com/loaded:1\\n"}\n');
    assert.equal(engine.loads.at(-1), other.tarball!.length);
    assert.equal(engine.images.get('example.com/loaded:1')?.inspect.Id, other.inspect.Id);
    assert.match(engine.requests.at(-1)?.url ?? '', /\/images\/load\?quiet=1$/);
  });

  test('an error line in a 200 answer and an error status both reject with DaemonError', async () => {
    const client = newClient({ host: engine.host });
    engine.behaviour.load = 'error-line';
    try {
      await assert.rejects(client.imageLoad(Readable.from([fixture.tarball!])), (err: unknown) => {
        assert.ok(err instanceof DaemonError);
        assert.equal(err.daemonMessage, 'open /var/lib/docker/tmp/x: no space left on device');
        return true;
      });
      engine.behaviour.load = 'status-500';
      await assert.rejects(client.imageLoad(Readable.from([fixture.tarball!])), (err: unknown) => {
        assert.ok(err instanceof DaemonError);
        assert.equal(err.status, 500);
        assert.match(err.daemonMessage, /unexpected EOF/);
        return true;
      });
    } finally {
      engine.behaviour.load = 'ok';
    }
  });

  test('an error answered before the tarball is read stops the upload and rejects at once', async () => {
    engine.behaviour.load = 'early-400';
    let pushed = 0;
    // Endless: only stopping the upload can end this call.
    const endless = new Readable({
      read() {
        pushed += 65536;
        this.push(Buffer.alloc(65536));
      },
    });
    try {
      await assert.rejects(newClient({ host: engine.host }).imageLoad(endless), (err: unknown) => {
        assert.ok(err instanceof DaemonError);
        assert.equal(err.status, 400);
        assert.equal(err.daemonMessage, 'refused before reading');
        return true;
      });
      assert.ok(endless.destroyed, 'the body stream is released');
      assert.ok(pushed < 64 * 1024 * 1024, `pushed ${pushed} bytes`);
    } finally {
      engine.behaviour.load = 'ok';
    }
  });

  test('when our tarball fails half-way, that failure is what the caller sees', async () => {
    const boom = new Error('layer read failed');
    async function* broken() {
      yield fixture.tarball!.subarray(0, 4096);
      await new Promise((r) => setTimeout(r, 20));
      throw boom;
    }
    await assert.rejects(newClient({ host: engine.host }).imageLoad(Readable.from(broken())), (err: unknown) => err === boom);
  });

  test('an abort stops the load with the abort reason', async () => {
    const controller = new AbortController();
    const never = new Readable({ read() {} });
    never.push(fixture.tarball!.subarray(0, 1024));
    const why = new Error('stop');
    setTimeout(() => controller.abort(why), 30);
    await assert.rejects(newClient({ host: engine.host }).imageLoad(never, { signal: controller.signal }), (err: unknown) => err === why);
  });
});
