/**
 * crane pull --format oci against skopeo copy … oci:, in one run: the 600 MiB, 9-layer image from
 * a distribution registry into a fresh OCI layout each round, wall time and peak resident memory
 * of each client (GNU time's %M). Target (issue 5): ours ≤ 0.8 of skopeo's time, < 100 MiB.
 * A third client, `floor-pull.ts`, does the same pull with no HTTP library and no streams: the
 * least a Node.js process can spend on it, measured in the same rounds.
 * `BENCH_TLS=1` serves the registry over TLS (self-signed; crane --insecure), where most real
 * registries are; the floor client speaks plain HTTP only and is left out.
 * `node dist/bench/pull.js`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchImageLayout } from './fixtures.ts';
import { distributionRegistry, measured, summarise, timed } from './processes.ts';
import { craneEntry } from '../test/harness/crane-cli.ts';

const floorPull = join(import.meta.dirname, 'floor-pull.js');

const work = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-pull-'));
const crane = craneEntry();
const layoutDir = process.env['BENCH_LAYOUT'] ?? join(tmpdir(), 'containerregistry-bench-image');
const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
const tls = process.env['BENCH_TLS'] === '1';

try {
  const layout = await benchImageLayout(layoutDir);
  const src = await distributionRegistry(work, { tls });
  const host = src.url.replace(/^https?:\/\//, '');
  try {
    await timed('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${layout}:bench`, `docker://${host}/bench/image:v1`]);
    const ours: { seconds: number; rssMiB: number }[] = [];
    const theirs: { seconds: number; rssMiB: number }[] = [];
    const floor: { seconds: number; rssMiB: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      const mine = join(work, `ours-${r}`);
      const skopeo = join(work, `skopeo-${r}`);
      const least = join(work, `floor-${r}`);
      ours.push(await measured(process.execPath, [crane, 'pull', ...(tls ? ['--insecure'] : []), '--format', 'oci', `${host}/bench/image:v1`, mine]));
      theirs.push(await measured('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${host}/bench/image:v1`, `oci:${skopeo}:v1`]));
      if (!tls) floor.push(await measured(process.execPath, [floorPull, host, 'bench/image:v1', least]));
      for (const dir of [mine, skopeo, least]) rmSync(dir, { recursive: true, force: true });
    }
    const [o, t] = [summarise(ours), summarise(theirs)];
    const f = floor.length > 0 ? summarise(floor) : undefined;
    const times = (xs: { seconds: number }[]) => xs.map((x) => x.seconds).join(' ');
    console.error(`pull${tls ? ' (TLS)' : ''}: crane ${times(ours)}; skopeo ${times(theirs)}${f ? `; floor ${times(floor)}` : ''}`);
    const floorCells = (ours: number, theirs: number) => (f ? `${ours} | ${(ours / theirs).toFixed(2)}` : '— | —');
    console.log([`| measure${tls ? ' (TLS)' : ''} | crane pull --format oci | skopeo copy oci: | ratio ours/skopeo | floor client | floor/skopeo |`, '|---|---|---|---|---|---|',
      `| 600 MiB, 9 layers: wall time, median of ${rounds} (s) | ${o.seconds.toFixed(2)} | ${t.seconds.toFixed(2)} | ${(o.seconds / t.seconds).toFixed(2)} | ${f ? `${f.seconds.toFixed(2)} | ${(f.seconds / t.seconds).toFixed(2)}` : '— | —'} |`,
      `| client peak RSS (MiB) | ${o.rss} | ${t.rss} | ${(o.rss / t.rss).toFixed(2)} | ${f ? floorCells(f.rss, t.rss) : '— | —'} |`].join('\n'));
  } finally {
    await src.stop();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
