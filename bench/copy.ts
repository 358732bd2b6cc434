/**
 * crane copy against skopeo copy, in one run: the 600 MiB, 9-layer image from one distribution
 * registry to another (each copy into a fresh destination), wall time and peak resident memory
 * of each client (GNU time's %M). Target (issue 4): ours ≤ 0.8 of skopeo's time, < 100 MiB, and
 * memory that does not grow with layer size: `BENCH_BIG_LAYER_MIB=2048` adds a copy of an image
 * with one such layer. `node dist/bench/copy.js`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchImageLayout } from './fixtures.ts';
import { distributionRegistry, measured, summarise, timed, type Started } from './processes.ts';
import { craneEntry } from '../test/harness/crane-cli.ts';

const work = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-copy-'));
const crane = craneEntry();
const layoutDir = process.env['BENCH_LAYOUT'] ?? join(tmpdir(), 'containerregistry-bench-image');

async function compare(label: string, layout: string, rounds: number): Promise<string[]> {
  const src = await distributionRegistry(work);
  const host = (s: Started) => s.url.replace('http://', '');
  const rows: string[] = [];
  try {
    await timed('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${layout}:bench`, `docker://${host(src)}/bench/image:v1`]);
    const ours: { seconds: number; rssMiB: number }[] = [];
    const theirs: { seconds: number; rssMiB: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const who of ['crane', 'skopeo'] as const) {
        const dst = await distributionRegistry(work);
        try {
          if (who === 'crane') ours.push(await measured(process.execPath, [crane, 'copy', `${host(src)}/bench/image:v1`, `${host(dst)}/copy/image:v1`]));
          else theirs.push(await measured('skopeo', ['copy', '-q', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${host(src)}/bench/image:v1`, `docker://${host(dst)}/copy/image:v1`]));
        } finally {
          await dst.stop();
        }
      }
    }
    const [o, t] = [summarise(ours), summarise(theirs)];
    rows.push(`| ${label}: copy wall time, median of ${rounds} (s) | ${o.seconds.toFixed(2)} | ${t.seconds.toFixed(2)} | ${(o.seconds / t.seconds).toFixed(2)} |`);
    rows.push(`| ${label}: client peak RSS (MiB) | ${o.rss} | ${t.rss} | ${(o.rss / t.rss).toFixed(2)} |`);
    console.error(`${label}: crane ${ours.map((x) => x.seconds).join(' ')}; skopeo ${theirs.map((x) => x.seconds).join(' ')}`);
  } finally {
    await src.stop();
  }
  return rows;
}

try {
  const rows = ['| measure | crane (ours) | skopeo | ratio ours/skopeo |', '|---|---|---|---|'];
  rows.push(...(await compare('600 MiB, 9 layers', await benchImageLayout(layoutDir), Number(process.env['BENCH_ROUNDS'] ?? 3))));
  const big = Number(process.env['BENCH_BIG_LAYER_MIB'] ?? 0);
  if (big > 0) {
    const bigLayout = await benchImageLayout(join(tmpdir(), `containerregistry-bench-big-${big}`), { layers: 1, layerMiB: big, textMiB: 1 });
    rows.push(...(await compare(`one ${big} MiB layer`, bigLayout, 1)));
  }
  console.log(rows.join('\n'));
} finally {
  rmSync(work, { recursive: true, force: true });
}
