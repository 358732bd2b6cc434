/**
 * @module A private Docker Engine for one test file, as PEERS.md prescribes: vfs storage, no
 * iptables or bridge, its own socket, data root and exec root under a temp folder, and a temp
 * `DOCKER_CONFIG` so `docker login` never touches the machine's credentials. Its containerd
 * socket serves `ctr`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from './run-command.ts';
import { onAbruptExit, startBackground, type BackgroundProcess } from './background-process.ts';
import { waitForHttp, waitForPath } from './wait-for.ts';

/** A running dockerd. */
export interface DockerDaemon {
  /** Environment for the `docker` CLI: `DOCKER_HOST` and `DOCKER_CONFIG`. */
  readonly env: Readonly<Record<string, string>>;
  /** `unix:///…/docker.sock`. */
  readonly host: string;
  /** The socket of dockerd's own containerd, for `ctr --address`. */
  readonly containerdAddress: string;
  readonly process: BackgroundProcess;
  /** Stops dockerd (which stops its containerd) and undoes any mount it left under `dir`. */
  stop(): Promise<void>;
}

/**
 * Starts `dockerd` (path given by `findPeer`) with all its state in `dir`, and resolves once both
 * the Engine API (`/_ping`) and its containerd socket answer.
 */
export async function startDockerd(dockerd: string, dir: string): Promise<DockerDaemon> {
  const socket = join(dir, 'docker.sock');
  const execRoot = join(dir, 'exec');
  const configDir = join(dir, 'docker-config');
  await mkdir(configDir, { recursive: true });
  const proc = await startBackground(
    dockerd,
    [
      '--storage-driver=vfs',
      '--iptables=false',
      '--ip6tables=false',
      '--bridge=none',
      '--ip-masq=false',
      '--host', `unix://${socket}`,
      '--data-root', join(dir, 'data'),
      '--exec-root', execRoot,
      '--pidfile', join(dir, 'docker.pid'),
    ],
    { logFile: join(dir, 'dockerd.log') },
  );
  const containerdAddress = join(execRoot, 'containerd', 'containerd.sock');
  const forget = onAbruptExit(() => {
    for (const p of mountsUnder(readFileSync('/proc/self/mounts', 'utf8'), dir)) {
      execFileSync('umount', ['-l', p], { timeout: 5_000, stdio: 'ignore' });
    }
  });
  const stop = async () => {
    await proc.stop(15_000);
    await killStrayContainerd(execRoot);
    await unmountUnder(dir);
    forget();
  };
  try {
    const givenUp = () => {
      const why = proc.exitReason();
      return why === undefined ? undefined : `dockerd ended (${why}):\n${proc.log()}`;
    };
    await waitForHttp({ socketPath: socket }, '/_ping', { statuses: [200], what: 'dockerd', givenUp, timeoutMs: 30_000 });
    // ctr speaks gRPC, not HTTP: the socket existing once the Engine answers is readiness enough.
    await waitForPath(containerdAddress, { what: 'containerd socket', givenUp });
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    env: { DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: configDir },
    host: `unix://${socket}`,
    containerdAddress,
    process: proc,
    stop,
  };
}

/**
 * dockerd starts containerd in a session of its own; a dockerd killed hard would leave it
 * running. Kill it by the PID it recorded, after checking it is ours (its command line names our
 * exec root).
 */
async function killStrayContainerd(execRoot: string): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(join(execRoot, 'containerd', 'containerd.pid'), 'utf8')).trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes(execRoot)) process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** dockerd bind-mounts its data root; one killed hard leaves the mount, which `rm -rf` cannot remove. */
async function unmountUnder(dir: string): Promise<void> {
  let mounts: string;
  try {
    mounts = await readFile('/proc/self/mounts', 'utf8');
  } catch {
    return;
  }
  for (const p of mountsUnder(mounts, dir)) await runCommand('umount', ['-l', p], { timeoutMs: 10_000 });
}

/** Mount points at or below `dir` in a `/proc/self/mounts` text, deepest first. */
function mountsUnder(mounts: string, dir: string): string[] {
  return mounts
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((p) => p === dir || p.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}
