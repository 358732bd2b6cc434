/**
 * Hashing and gzip throughput against this machine's own limits, in one run:
 * - sha256 of a stream (Hash.fromStream over 1 MiB chunks) vs `openssl speed -evp sha256`;
 * - sha256 of a file through fs streams vs `openssl dgst -sha256` / `sha256sum` on the same file;
 * - gzip level 1 and gunzip (our codecs) vs `gzip -1` / `gzip -d` on the same file.
 * Reports MB/s and ratios (ours / theirs). Noisy 2-core VMs: compare ratios, not absolutes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Hash } from '../src/v1/hash.ts';
import { gzipStream, gunzipStream } from '../src/internal/compression/index.ts';
import { randomStream } from '../src/random/bytes.ts';

const MB = 1e6;
const rows: string[][] = [];
const row = (what: string, ours: number, theirs: number, peer: string) =>
  rows.push([what, (ours / MB).toFixed(0), (theirs / MB).toFixed(0), peer, (ours / theirs).toFixed(2)]);

function best<T>(n: number, f: () => Promise<T> | T): Promise<number> {
  return (async () => {
    let top = 0;
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const bytes = (await f()) as unknown as number;
      top = Math.max(top, bytes / ((performance.now() - t) / 1000));
    }
    return top;
  })();
}

function shellRate(cmd: string, args: string[], bytes: number, runs = 3): number {
  let top = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed`);
    top = Math.max(top, bytes / ((performance.now() - t) / 1000));
  }
  return top;
}

// openssl prints "sha256  <16B>k <64B>k … <16384B>k"; the last column is its best block size.
function opensslSpeed(): number {
  const out = execFileSync('openssl', ['speed', '-evp', 'sha256', '-bytes', '16384', '-seconds', '3'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const line = out.split('\n').find((l) => /^sha256\s/.test(l));
  const k = line?.trim().split(/\s+/).pop();
  if (!k?.endsWith('k')) throw new Error(`cannot read openssl speed output: ${line}`);
  return Number(k.slice(0, -1)) * 1000;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-throughput-'));
try {
  const SIZE = 512 * 1024 * 1024;
  const chunk = Buffer.alloc(1 << 20, 7);

  // sha256 of a stream, no file system involved.
  const ours = await best(3, async () => {
    let left = SIZE;
    const src = new Readable({
      highWaterMark: 1 << 20,
      read() {
        this.push(left > 0 ? chunk : null);
        left -= chunk.length;
      },
    });
    return (await Hash.fromStream(src)).size;
  });
  row('sha256, stream of 1 MiB chunks', ours, opensslSpeed(), 'openssl speed -evp sha256');

  // sha256 of a file (page cache warm for both).
  const file = join(dir, 'random.bin');
  await pipeline(randomStream('bench', SIZE), createWriteStream(file));
  const fileOurs = await best(3, async () => (await Hash.fromStream(createReadStream(file, { highWaterMark: 1 << 20 }))).size);
  row('sha256, file stream', fileOurs, shellRate('openssl', ['dgst', '-sha256', file], SIZE), 'openssl dgst -sha256');
  row('sha256, file stream', fileOurs, shellRate('sha256sum', [file], SIZE), 'sha256sum');

  // gzip on a realistic layer: a tar of system headers and libraries (compressible, like most layers).
  const tarFile = join(dir, 'layer.tar');
  execFileSync('tar', ['-cf', tarFile, '--ignore-failed-read', '-C', '/usr', 'include', 'share/perl', 'lib/node_modules'], {
    stdio: 'ignore',
  });
  const tarSize = statSync(tarFile).size;
  const sink = () => new Writable({ write: (_c, _e, cb) => cb() });
  const gz = await best(2, async () => {
    await pipeline(createReadStream(tarFile, { highWaterMark: 1 << 20 }), gzipStream({ level: 1 }), sink());
    return tarSize;
  });
  row(`gzip -1 (${(tarSize / MB).toFixed(0)} MB tar)`, gz, shellRate('sh', ['-c', `gzip -1 -c ${tarFile} > /dev/null`], tarSize, 2), 'gzip -1');
  const gzFile = `${tarFile}.gz`;
  execFileSync('sh', ['-c', `gzip -1 -c ${tarFile} > ${gzFile}`]);
  const gunzip = await best(2, async () => {
    await pipeline(createReadStream(gzFile, { highWaterMark: 1 << 20 }), gunzipStream(), sink());
    return tarSize;
  });
  row('gunzip (output bytes)', gunzip, shellRate('sh', ['-c', `gzip -d -c ${gzFile} > /dev/null`], tarSize, 2), 'gzip -d');

  console.log('| what | ours MB/s | peer MB/s | peer | ratio ours/peer |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
