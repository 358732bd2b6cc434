/**
 * The registry against the distribution registry, in one run, on the same disk:
 * - skopeo pushes and pulls the 600 MiB, 9-layer image into each (wall time, ratio ours/theirs);
 * - each server's CPU time for the push and pull, and its peak resident memory;
 *   (the wall times are mostly skopeo's own work on 2 cores: the server CPU shows the servers' share)
 * - small-request throughput with wrk (manifest GET, config blob GET; 2 threads, 32 connections).
 * - the same skopeo push and pull against `floor-registry.ts`, a server that discards uploads and
 *   serves blobs from the page cache: the least time any server allows here, so `floor/distribution`
 *   is the best ratio a registry could reach on this machine.
 * Target (issue 3): at most 0.6 of distribution's time, under 150 MiB, at least its requests/s.
 * `node dist/bench/registry.js` (needs skopeo, docker-registry; wrk for the small requests).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchImageLayout } from './fixtures.ts';
import { cpuSeconds, distributionRegistry, freePort, median, peakRssMiB, startServer, timed, type Started } from './processes.ts';
import { craneEntry } from '../test/harness/crane-cli.ts';

const work = mkdtempSync(join(process.env['BENCH_DIR'] ?? tmpdir(), 'bench-registry-'));
const crane = craneEntry();
const layoutDir = process.env['BENCH_LAYOUT'] ?? join(tmpdir(), 'containerregistry-bench-image');

function wrk(url: string, script?: string): number {
  const args = ['-t2', '-c32', '-d5s', ...(script ? ['-s', script] : []), url];
  const out = execFileSync('wrk', args, { encoding: 'utf8' });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  return m ? Number(m[1]) : Number.NaN;
}

async function startOurs(): Promise<Started> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startServer(process.execPath, [crane, 'registry', 'serve', '--address', `127.0.0.1:${port}`, '--disk', join(work, 'ours'), '--no-access-log'], url);
}

async function startFloor(): Promise<Started> {
  const port = await freePort();
  const script = fileURLToPath(new URL('./floor-registry.js', import.meta.url));
  return startServer(process.execPath, [script, String(port), layoutDir], `http://127.0.0.1:${port}`);
}

try {
  console.error(`fixture: ${await benchImageLayout(layoutDir)}`);
  const rows: string[] = [];
  type Result = { push: number; pull: number; cpu: number; rss: number; manifestRps: number; headRps: number };
  const runs: Record<string, Result[]> = { ours: [], distribution: [], floor: [] };
  // This machine's timings swing by a third from run to run: alternate the two servers over
  // several rounds (each on fresh storage, so every blob is really uploaded) and take medians.
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
  for (let round = 0; round < rounds; round++) {
    for (const [name, start] of [
      ['ours', startOurs],
      ['distribution', () => distributionRegistry(work)],
      ['floor', startFloor],
    ] as const) {
      const s = await start();
      try {
        const host = s.url.replace('http://', '');
        const cpu0 = cpuSeconds(s.proc.pid!);
        const push = await timed('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${layoutDir}:bench`, `docker://${host}/bench/image:v1`]);
        const out = join(work, `pull-${name}`);
        const pull = await timed('skopeo', ['copy', '-q', '--src-tls-verify=false', `docker://${host}/bench/image:v1`, `oci:${out}:bench`]);
        rmSync(out, { recursive: true, force: true });
        const cpu = cpuSeconds(s.proc.pid!) - cpu0;
        let manifestRps = Number.NaN;
        let headRps = Number.NaN;
        if (round === 0 && name !== 'floor') {
          try {
            const manifest = await fetch(`${s.url}/v2/bench/image/manifests/v1`, { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
            const m = (await manifest.json()) as { config: { digest: string } };
            const accept = join(work, 'accept.lua');
            writeFileSync(accept, 'wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"\n');
            manifestRps = wrk(`${s.url}/v2/bench/image/manifests/v1`, accept);
            // wrk cannot read HEAD answers that carry a Content-Length (it waits for a body), so the
            // small-blob measure is a GET of the config blob: the same lookup plus a tiny body.
            headRps = wrk(`${s.url}/v2/bench/image/blobs/${m.config.digest}`);
          } catch (err) {
            console.error(`wrk skipped: ${(err as Error).message.split('\n')[0]}`);
          }
        }
        runs[name]!.push({ push, pull, cpu, rss: peakRssMiB(s.proc.pid!), manifestRps, headRps });
      } finally {
        await s.stop();
        if (name !== 'floor') rmSync(join(work, name), { recursive: true, force: true });
      }
    }
  }
  const summary = (rs: Result[]): Result => ({
    push: median(rs.map((r) => r.push)),
    pull: median(rs.map((r) => r.pull)),
    cpu: median(rs.map((r) => r.cpu)),
    rss: Math.max(...rs.map((r) => r.rss)),
    manifestRps: rs[0]!.manifestRps,
    headRps: rs[0]!.headRps,
  });
  const results = { ours: summary(runs['ours']!), distribution: summary(runs['distribution']!), floor: summary(runs['floor']!) };
  console.error(`rounds: ${rounds}; push times ours ${runs['ours']!.map((r) => r.push.toFixed(2)).join(' ')}, distribution ${runs['distribution']!.map((r) => r.push.toFixed(2)).join(' ')}, floor ${runs['floor']!.map((r) => r.push.toFixed(2)).join(' ')}`);
  const o = results['ours']!;
  const d = results['distribution']!;
  const f = results['floor']!;
  const row = (what: string, a: number, b: number, c: number | undefined, digits = 2) =>
    `| ${what} | ${a.toFixed(digits)} | ${b.toFixed(digits)} | ${(a / b).toFixed(2)} | ${c === undefined ? '–' : c.toFixed(digits)} | ${c === undefined ? '–' : (c / b).toFixed(2)} |`;
  rows.push('| measure | ours | distribution | ratio ours/distribution | floor (discarding server) | ratio floor/distribution |', '|---|---|---|---|---|---|');
  rows.push(row('skopeo push 600 MiB, median (s)', o.push, d.push, f.push));
  rows.push(row('skopeo pull 600 MiB, median (s)', o.pull, d.pull, f.pull));
  rows.push(row('push + pull (s)', o.push + o.pull, d.push + d.pull, f.push + f.pull));
  rows.push(row('server CPU for push + pull, median (s)', o.cpu, d.cpu, undefined));
  rows.push(row('server peak RSS (MiB)', o.rss, d.rss, undefined, 0));
  rows.push(row('manifest GET (req/s)', o.manifestRps, d.manifestRps, undefined, 0));
  rows.push(row('small blob GET (req/s)', o.headRps, d.headRps, undefined, 0));
  console.log(rows.join('\n'));
} finally {
  rmSync(work, { recursive: true, force: true });
}
