/**
 * Peak resident memory of the streaming paths — `stream`, `partial`'s compress and decompress,
 * `validate` — at two layer sizes, each scenario in its own process. The promise: memory does not
 * grow with the layer. `node dist/bench/memory.js [bigSize]` (default 2 GiB).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('./memory-child.js', import.meta.url));
const small = 64 * 1024 * 1024;
const big = Number(process.argv[2] ?? 2 * 1024 * 1024 * 1024);
const codecs = (process.argv[3] ?? 'gzip').split(',');

console.log('| scenario | codec | layer size | seconds | peak RSS MiB |');
console.log('|---|---|---|---|---|');
for (const codec of codecs) {
  for (const scenario of ['stream', 'compress', 'decompress', 'validate']) {
    for (const size of [small, big]) {
      const out = execFileSync(process.execPath, [child, scenario, String(size), codec], { encoding: 'utf8' });
      const r = JSON.parse(out.trim().split('\n').pop()!) as { seconds: number; maxRssMiB: number };
      console.log(`| ${scenario} | ${codec} | ${(size / 2 ** 20).toFixed(0)} MiB | ${r.seconds} | ${r.maxRssMiB} |`);
    }
  }
}
