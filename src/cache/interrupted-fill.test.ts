import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { buffer as drain } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import * as random from '../random/index.ts';
import type { Layer, StreamOptions } from '../v1/interfaces.ts';
import { filesystemCache } from './filesystem.ts';
import { image } from './image.ts';
import { tempDirFor } from '../../test/harness/temp-dir.ts';

const tempDir = (t: { after(fn: () => unknown): void }) => tempDirFor(t, 'cache-interrupted-test');

type Stop = 'destroy' | 'abort';
type Form = 'compressed' | 'uncompressed';

/**
 * Reads `form` of `l` and stops it from the 'data' handler once 64 KiB arrived: the handler runs
 * inside the cache tee's push, so the stop lands while that chunk is being written to the temp
 * file. Resolves with the stream's error (if any) once it closed, and with the uncaught
 * exceptions seen meanwhile.
 */
async function readAndStop(l: Layer, form: Form, stop: Stop): Promise<{ error: unknown; uncaught: unknown[] }> {
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown): void => void uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    const ac = new AbortController();
    const options: StreamOptions = { signal: ac.signal };
    const s: Readable = form === 'compressed' ? await l.compressed(options) : await l.uncompressed(options);
    let error: unknown;
    let n = 0;
    await new Promise<void>((resolve) => {
      s.on('data', (chunk: Buffer) => {
        n += chunk.length;
        if (n < 64 * 1024 || s.destroyed) return;
        if (stop === 'abort') ac.abort();
        else s.destroy();
      });
      s.on('error', (err) => (error = err));
      s.on('close', () => resolve());
    });
    // Long enough for a write left pending by the stop to come back and hit a missing sink.
    await sleep(50);
    return { error, uncaught };
  } finally {
    process.off('uncaughtException', onUncaught);
  }
}

for (const stop of ['destroy', 'abort'] as const) {
  for (const path of ['compressed from the source', 'uncompressed from the source', 'uncompressed from the cached blob'] as const) {
    test(`a fill stopped part-way by ${stop} (${path}) leaves no file, and the next read fills the cache`, async (t) => {
      const dir = await tempDir(t);
      const src = random.image(512 * 1024, 1, { seed: `stop-${stop}-${path}` });
      const [orig] = await src.layers();
      const [l] = await image(src, filesystemCache(dir)).layers();
      const digest = (await l!.digest()).toString();
      const diffID = (await l!.diffID()).toString();
      const form: Form = path.startsWith('compressed') ? 'compressed' : 'uncompressed';
      const before = path.endsWith('cached blob') ? [digest] : [];
      if (path.endsWith('cached blob')) await drain(await l!.compressed());

      const { error, uncaught } = await readAndStop(l!, form, stop);
      assert.deepEqual(uncaught, [], 'nothing thrown outside the stream');
      if (stop === 'abort') assert.equal((error as Error | undefined)?.name, 'AbortError');
      else assert.equal(error, undefined);
      assert.deepEqual(await readdir(dir), before, 'no entry and no temp file added');

      const whole = await drain(form === 'compressed' ? await l!.compressed() : await l!.uncompressed());
      assert.deepEqual(whole, await drain(form === 'compressed' ? await orig!.compressed() : await orig!.uncompressed()));
      const entry = form === 'compressed' ? digest : diffID;
      assert.deepEqual((await readdir(dir)).sort(), [...before, entry].sort());
      assert.deepEqual(await readFile(join(dir, entry)), whole);
    });
  }
}
