/**
 * How long a short `crane` command takes, start to exit, which is what scripts that call crane
 * in a loop pay: `node` with an empty script (the floor no Node CLI can beat), `crane version`,
 * and `crane manifest` / `crane digest` against an embedded registry, each with the bundled CLI
 * (dist/bin, what npm installs) and the unbundled one (dist/src), beside `skopeo inspect --raw`
 * (the Go peer here, doing the same request). Runs alternate; medians of `BENCH_ROUNDS` (20).
 * `node dist/bench/startup.js`
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as random from '../src/random/index.ts';
import * as remote from '../src/remote/index.ts';
import { listen } from '../src/registry/server.ts';
import { median } from './processes.ts';
import { craneEntry } from '../test/harness/crane-cli.ts';

const run = promisify(execFile);
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 20);
const bundled = craneEntry();
const unbundled = fileURLToPath(new URL('../src/cli/crane.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'bench-startup-'));
const empty = join(work, 'empty.mjs');
writeFileSync(empty, '');

async function hasSkopeo(): Promise<boolean> {
  return run('skopeo', ['--version']).then(() => true, () => false);
}

async function wall(cmd: string, args: string[]): Promise<number> {
  const t = performance.now();
  await run(cmd, args, { env: { ...process.env, HOME: work, DOCKER_CONFIG: work } });
  return performance.now() - t;
}

// The registry runs in this process and serves the commands while they are awaited.
const reg = await listen({});
try {
  const ref = `${reg.host}/bench/startup:v1`;
  await remote.write(ref, random.image(1024, 1));
  const cases: [string, string, string[]][] = [
    ['node, empty script', process.execPath, [empty]],
    ['crane version (bundled)', process.execPath, [bundled, 'version']],
    ['crane version (unbundled)', process.execPath, [unbundled, 'version']],
    ['crane manifest (bundled)', process.execPath, [bundled, 'manifest', ref]],
    ['crane manifest (unbundled)', process.execPath, [unbundled, 'manifest', ref]],
    ['crane digest (bundled)', process.execPath, [bundled, 'digest', ref]],
  ];
  if (await hasSkopeo()) cases.push(['skopeo inspect --raw', 'skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]]);
  else console.error('skopeo not found: the Go peer row is left out');
  const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (const [, cmd, args] of cases) await wall(cmd, args); // warm the page cache
  for (let r = 0; r < rounds; r++) {
    for (const [name, cmd, args] of cases) times.get(name)!.push(await wall(cmd, args));
  }
  const floor = median(times.get('node, empty script')!);
  const skopeo = times.has('skopeo inspect --raw') ? median(times.get('skopeo inspect --raw')!) : Number.NaN;
  const rows = ['| command | median (ms) | over bare node (ms) | ratio to skopeo |', '|---|---|---|---|'];
  for (const [name] of cases) {
    const m = median(times.get(name)!);
    rows.push(`| ${name} | ${m.toFixed(0)} | ${(m - floor).toFixed(0)} | ${Number.isNaN(skopeo) ? '–' : (m / skopeo).toFixed(2)} |`);
  }
  console.log(rows.join('\n'));
} finally {
  await reg.close();
  rmSync(work, { recursive: true, force: true });
}
