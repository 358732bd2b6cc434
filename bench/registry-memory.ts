/**
 * The registry's memory with big blobs: a blob streamed up (one PATCH) and down again, at two
 * sizes, each against a fresh server process; the server's peak resident memory (VmHWM) must
 * not grow with the blob. `node dist/bench/registry-memory.js [bigBytes]` (default 4 GiB).
 */
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Hash } from '../src/v1/hash.ts';
import { randomStream } from '../src/random/bytes.ts';
import { freePort, peakRssMiB, startServer } from './processes.ts';
import { craneEntry } from '../test/harness/crane-cli.ts';

const crane = craneEntry();
const sizes = [256 * 1024 * 1024, Number(process.argv[2] ?? 4 * 1024 * 1024 * 1024)];

function send(method: string, url: string, body?: NodeJS.ReadableStream): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: NodeJS.ReadableStream }> {
  return new Promise((resolve, reject) => {
    const r = request(url, { method, headers: body ? { 'Content-Type': 'application/octet-stream' } : {} }, (res) =>
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
    );
    r.on('error', reject);
    if (body) void pipeline(body, r).catch(reject);
    else r.end();
  });
}

console.log('| blob | upload s | download s | server peak RSS MiB |');
console.log('|---|---|---|---|');
for (const size of sizes) {
  const dir = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-regmem-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const s = await startServer(process.execPath, [crane, 'registry', 'serve', '--address', `127.0.0.1:${port}`, '--disk', dir, '--no-access-log'], url);
  try {
    const seed = `regmem-${size}`;
    const { hash } = await Hash.fromStream(randomStream(seed, size));
    const start = await send('POST', `${url}/v2/big/blobs/uploads/`);
    start.body.resume();
    const loc = start.headers['location'] as string;
    let t = performance.now();
    const patched = await send('PATCH', `${url}${loc}`, randomStream(seed, size));
    patched.body.resume();
    const put = await send('PUT', `${url}${loc}?digest=${hash}`);
    put.body.resume();
    if (put.status !== 201) throw new Error(`upload failed: ${put.status}`);
    const up = (performance.now() - t) / 1000;
    t = performance.now();
    const got = await send('GET', `${url}/v2/big/blobs/${hash}`);
    const back = await Hash.fromStream(got.body as never);
    if (!back.hash.equals(hash) || back.size !== size) throw new Error('downloaded blob differs');
    const down = (performance.now() - t) / 1000;
    console.log(`| ${(size / 2 ** 20).toFixed(0)} MiB | ${up.toFixed(1)} | ${down.toFixed(1)} | ${peakRssMiB(s.proc.pid!)} |`);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
