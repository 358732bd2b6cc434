// What the upload routes ask of the storage, counted through a wrapper.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { listen } from './server.ts';
import { createMemoryStorage } from './storage/memory.ts';
import { countingStorage } from './storage/counting.test-fixtures.ts';

test('a PATCH makes one storage call, the append, whose answer gives the new Range', async (t) => {
  const counted = countingStorage(createMemoryStorage());
  const reg = await listen({ storage: counted.storage });
  t.after(() => reg.close());
  const start = await fetch(`${reg.url}/v2/lib/app/blobs/uploads/`, { method: 'POST' });
  assert.equal(start.status, 202);
  const location = start.headers.get('location')!;

  counted.reset();
  const patch = await fetch(`${reg.url}${location}`, { method: 'PATCH', body: 'hello', headers: { 'Content-Range': '0-4' } });
  assert.equal(patch.status, 202);
  assert.equal(patch.headers.get('range'), '0-4');
  assert.equal(patch.headers.get('location'), location);
  assert.deepEqual([...counted.calls], [['appendUpload', 1]]);

  const second = await fetch(`${reg.url}${location}`, { method: 'PATCH', body: ' world' });
  assert.equal(second.headers.get('range'), '0-10');
  const digest = `sha256:${createHash('sha256').update('hello world').digest('hex')}`;
  const put = await fetch(`${reg.url}${location}?digest=${digest}`, { method: 'PUT' });
  assert.equal(put.status, 201);
});
