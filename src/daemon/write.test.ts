import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonError, NotFoundError } from '../errors/index.ts';
import { Tag } from '../name/index.ts';
import * as random from '../random/index.ts';
import type { Client } from './client.ts';
import { countingClient } from './counting-client.test-fixtures.ts';
import { startFakeEngine, type FakeEngine } from './fake-engine.test-fixtures.ts';
import { tag, write } from './write.ts';

let engine: FakeEngine;
before(async () => {
  engine = await startFakeEngine();
});
after(() => engine.close());

test('a new image is loaded as the tag; the same image again is only tagged', async () => {
  const img = random.image(4096, 2, { seed: 'write' });
  const id = (await img.configName()).toString();
  const { client, calls } = countingClient(engine.host);
  const answer = await write('example.com/w:1', img, { client });
  assert.equal(answer, '{"stream":"Loaded image: example.com/w:1\\n"}\n');
  assert.deepEqual(calls, ['inspect', 'load']);
  assert.equal(engine.images.get('example.com/w:1')?.inspect.Id, id);
  const loads = engine.loads.length;

  calls.length = 0;
  assert.equal(await write(Tag.parse('example.com/w:2'), img, { client }), '');
  assert.deepEqual(calls, ['inspect', 'tag']);
  assert.equal(engine.loads.length, loads, 'no second load');
  assert.equal(engine.images.get('example.com/w:2')?.inspect.Id, id);
});

test('progress is reported while the tarball streams into the daemon', async () => {
  const updates: { complete: number; total: number }[] = [];
  await write('example.com/w:progress', random.image(4096, 1, { seed: 'progress' }), { host: engine.host, onProgress: (u) => void updates.push(u) });
  const last = updates.at(-1);
  assert.ok(last && last.total > 4096 && last.complete === last.total, JSON.stringify(last));
});

test('a load the daemon refuses rejects with its message', async () => {
  engine.behaviour.load = 'error-line';
  try {
    await assert.rejects(write('example.com/w:bad', random.image(1024, 1), { host: engine.host }), (err: unknown) => {
      assert.ok(err instanceof DaemonError);
      assert.match(err.message, /no space left on device/);
      return true;
    });
  } finally {
    engine.behaviour.load = 'ok';
  }
});

test('an inspect failure other than "no such image" stops the write before any load', async () => {
  const { client, calls } = countingClient(engine.host);
  const refusing: Client = { ...client, imageInspect: async () => Promise.reject(new DaemonError('boom', { status: 500 })) };
  await assert.rejects(write('example.com/w:x', random.image(1024, 1), { client: refusing }), /boom/);
  assert.deepEqual(calls, []);
});

test('tag names an existing image anew; a missing source is NotFoundError', async () => {
  await write('example.com/t:src', random.image(1024, 1, { seed: 'tag' }), { host: engine.host });
  await tag('example.com/t:src', 'example.com/t:dst', { host: engine.host });
  assert.equal(engine.images.get('example.com/t:dst'), engine.images.get('example.com/t:src'));
  await assert.rejects(tag('example.com/t:none', 'example.com/t:x', { host: engine.host }), NotFoundError);
});
