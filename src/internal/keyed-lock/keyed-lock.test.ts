// The one lock the registry storage (exclusive, per upload and per repository) and the layout
// (per folder: exclusive index.json, shared blob writes against an exclusive gc) build on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedLock } from './index.ts';

/** A promise resolved from outside, to hold a task open until the test lets it finish. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('exclusive tasks of one key run one at a time, in arrival order', async () => {
  const lock = new KeyedLock();
  const events: string[] = [];
  const gates = [gate(), gate(), gate()];
  const runs = gates.map((g, i) =>
    lock.exclusive('upload', async () => {
      events.push(`start ${i}`);
      await g.promise;
      events.push(`end ${i}`);
      return i;
    }),
  );
  await settle();
  assert.deepEqual(events, ['start 0']);
  // Released out of order, they still finish in order: each waits for the one before.
  gates[2]!.open();
  gates[1]!.open();
  await settle();
  assert.deepEqual(events, ['start 0']);
  gates[0]!.open();
  assert.deepEqual(await Promise.all(runs), [0, 1, 2]);
  assert.deepEqual(events, ['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
});

test('tasks under different keys do not wait for each other', async () => {
  const lock = new KeyedLock();
  const held = gate();
  const first = lock.exclusive('repo-a', () => held.promise);
  let ranB = false;
  await lock.exclusive('repo-b', async () => {
    ranB = true;
  });
  assert.equal(ranB, true);
  held.open();
  await first;
});

test('shared tasks run together; an exclusive one waits for them and holds back later shared ones', async () => {
  const lock = new KeyedLock();
  const events: string[] = [];
  const readers = [gate(), gate()];
  const writerGate = gate();
  const early = readers.map((g, i) =>
    lock.shared('/layout', async () => {
      events.push(`shared ${i} start`);
      await g.promise;
      events.push(`shared ${i} end`);
    }),
  );
  const writer = lock.exclusive('/layout', async () => {
    events.push('exclusive start');
    await writerGate.promise;
    events.push('exclusive end');
  });
  const late = lock.shared('/layout', async () => {
    events.push('late shared start');
  });
  await settle();
  assert.deepEqual(events, ['shared 0 start', 'shared 1 start']);
  readers[1]!.open();
  await settle();
  assert.deepEqual(events.slice(2), ['shared 1 end'], 'the exclusive task waits for every shared holder');
  readers[0]!.open();
  await settle();
  assert.deepEqual(events.slice(3), ['shared 0 end', 'exclusive start'], 'a shared task queued later must not overtake it');
  writerGate.open();
  await Promise.all([...early, writer, late]);
  assert.deepEqual(events.slice(5), ['exclusive end', 'late shared start']);
});

test('a failing task releases the key and its error reaches only its own caller', async () => {
  const lock = new KeyedLock();
  const failing = lock.exclusive('k', async () => {
    throw new Error('disk full');
  });
  const next = lock.exclusive('k', async () => 'ran');
  await assert.rejects(failing, /disk full/);
  assert.equal(await next, 'ran');
});

test('a key is forgotten once its last task settles', async () => {
  const lock = new KeyedLock();
  const held = gate();
  const a = lock.exclusive('a', () => held.promise);
  const b = lock.shared('b', async () => {
    throw new Error('x');
  });
  const a2 = lock.exclusive('a', async () => {});
  assert.equal(lock.size, 2);
  await assert.rejects(b);
  assert.equal(lock.size, 1);
  held.open();
  await Promise.all([a, a2]);
  assert.equal(lock.size, 0);
});
