/**
 * Starting and measuring server processes for benchmarks: a free port, a child that is waited
 * for until it answers `/v2/`, its peak resident memory (VmHWM), and timing of peer commands.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { Agent, fetch as undiciFetch } from 'undici';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Started {
  readonly proc: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

/** Spawns `cmd` and waits (up to 30 s) until `url/v2/` answers. */
export async function startServer(cmd: string, args: string[], url: string, env: NodeJS.ProcessEnv = process.env): Promise<Started> {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  proc.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${cmd} exited with ${proc.exitCode}: ${stderr}`);
    try {
      // A TLS registry of ours has a self-signed certificate: ask without checking it.
      const r = url.startsWith('https:')
        ? await undiciFetch(`${url}/v2/`, { dispatcher: new Agent({ connect: { rejectUnauthorized: false } }) })
        : await fetch(`${url}/v2/`);
      if (r.status === 200 || r.status === 401) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${cmd} did not answer within 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    proc,
    url,
    async stop() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

/** Peak resident set size of a live process, in MiB (Linux `VmHWM`). */
export function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Number.NaN;
}

/** CPU seconds (user + system) a live process has used so far (Linux `/proc/<pid>/stat`). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Runs a command to completion and returns its wall time in seconds; throws with stderr on failure. */
export async function timed(cmd: string, args: string[], timeoutMs = 600_000): Promise<number> {
  const t = performance.now();
  try {
    await promisify(execFile)(cmd, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
  return (performance.now() - t) / 1000;
}

let registries = 0;

/** Starts a distribution registry (`docker-registry`) storing under `work`, quiet, deletes enabled. */
export async function distributionRegistry(work: string, options: { tls?: boolean } = {}): Promise<Started> {
  const port = await freePort();
  const dir = join(work, `d${registries++}`);
  const config = `${dir}.yml`;
  let tls = '';
  if (options.tls) {
    // A self-signed certificate for 127.0.0.1: clients skip verification (crane --insecure).
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}-key.pem`, '-out', `${dir}-cert.pem`,
      '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1']);
    tls = `, tls: { certificate: ${dir}-cert.pem, key: ${dir}-key.pem }`;
  }
  writeFileSync(config, [
    'version: 0.1',
    'log: { level: error, accesslog: { disabled: true } }',
    `storage: { filesystem: { rootdirectory: ${dir} }, delete: { enabled: true } }`,
    `http: { addr: 127.0.0.1:${port}${tls} }`,
  ].join('\n'));
  return startServer('docker-registry', ['serve', config], `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`);
}

/** The middle value (the upper one of an even count): this machine's timings swing too much for means. */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** Median wall time and largest peak RSS over a client's rounds. */
export function summarise(runs: readonly { seconds: number; rssMiB: number }[]): { seconds: number; rss: number } {
  return { seconds: median(runs.map((r) => r.seconds)), rss: Math.max(...runs.map((r) => r.rssMiB)) };
}

/** Wall seconds and peak RSS (MiB) of a command, from GNU time. */
export async function measured(cmd: string, args: string[]): Promise<{ seconds: number; rssMiB: number }> {
  const { stderr } = await promisify(execFile)('/usr/bin/time', ['-f', 'TIME %e %M', cmd, ...args], { maxBuffer: 64 * 1024 * 1024, timeout: 900_000 });
  const m = /TIME ([\d.]+) (\d+)/.exec(stderr);
  if (!m) throw new Error(`no timing from /usr/bin/time: ${stderr}`);
  return { seconds: Number(m[1]), rssMiB: Math.round(Number(m[2]) / 1024) };
}
