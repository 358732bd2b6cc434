import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raceAbort } from './index.ts';

test('raceAbort passes the work through when nothing aborts', async () => {
  assert.equal(await raceAbort(Promise.resolve(7), new AbortController().signal), 7);
  await assert.rejects(raceAbort(Promise.reject(new Error('boom')), undefined), /boom/);
});

test('raceAbort rejects with the reason at the abort, and the abandoned work failing later is not unhandled', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (r: unknown) => unhandled.push(r);
  process.on('unhandledRejection', onUnhandled);
  try {
    const ac = new AbortController();
    let fail!: (e: Error) => void;
    const work = new Promise<number>((_r, rej) => (fail = rej));
    const raced = raceAbort(work, ac.signal);
    ac.abort(new Error('stop'));
    await assert.rejects(raced, /stop/);
    fail(new Error('late'));
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(unhandled, []);
    const pre = new AbortController();
    pre.abort(new Error('already'));
    await assert.rejects(raceAbort(new Promise(() => {}), pre.signal), /already/);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
