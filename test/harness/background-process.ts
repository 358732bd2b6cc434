/**
 * @module Long-running peer servers (dockerd, the distribution registry) started for a test and
 * always stopped: by their own PID, gracefully first (dockerd must stop its containerd and unmount
 * its data root), then SIGKILL to their process group. A safety net kills whatever is still running
 * when the test process exits, so a crashed test leaves no server behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** A started server. */
export interface BackgroundProcess {
  readonly pid: number;
  /** Set once it has exited: how, e.g. `exit code 1` or `signal SIGKILL`. */
  readonly exitReason: () => string | undefined;
  /** The last part of its combined stdout and stderr. */
  readonly log: () => string;
  /** SIGTERM, then SIGKILL to its group after `graceMs` (default 10 s); resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Options for {@link startBackground}. */
export interface BackgroundOptions {
  /** Where stdout and stderr go (appended). */
  readonly logFile: string;
  /** Added to the test process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

const running = new Set<ChildProcess>();
const exitCleanups = new Set<() => void>();
let safetyNetInstalled = false;

/**
 * Registers synchronous cleanup for an abrupt exit (after the servers are killed), such as
 * unmounting what a killed dockerd left mounted; returns the function that unregisters it.
 */
export function onAbruptExit(cleanup: () => void): () => void {
  installSafetyNet();
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

function installSafetyNet(): void {
  if (safetyNetInstalled) return;
  safetyNetInstalled = true;
  const killAll = () => {
    for (const child of running) killGroup(child, 'SIGKILL');
    for (const cleanup of exitCleanups) {
      try {
        cleanup();
      } catch {
        // best effort: the process is going away
      }
    }
  };
  process.on('exit', killAll);
  // 'exit' does not run when a signal ends the process (the test runner cancelling a file, ^C):
  // kill the servers, then die of the same signal as we would have.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // Negative PID: the group the child leads (it was spawned detached), so helpers it forked go too.
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts `file args` in its own process group with output to `logFile`. Resolves once spawned
 * (not once ready: wait for readiness with `waitForHttp`).
 */
export async function startBackground(file: string, args: readonly string[], options: BackgroundOptions): Promise<BackgroundProcess> {
  installSafetyNet();
  const fd = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...options.env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
  } finally {
    closeSync(fd);
  }
  let exitReason: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitReason = code !== null ? `exit code ${code}` : `signal ${signal ?? '?'}`;
      running.delete(child);
      resolve();
    });
    child.once('error', (err) => {
      exitReason = `could not start: ${err.message}`;
      running.delete(child);
      resolve();
    });
  });
  await new Promise<void>((resolve) => {
    child.once('spawn', resolve);
    child.once('error', () => resolve());
  });
  if (child.pid === undefined) throw new Error(`${file} did not start: ${exitReason ?? 'no pid'}`);
  running.add(child);
  const pid = child.pid;
  return {
    pid,
    exitReason: () => exitReason,
    log: () => {
      try {
        const text = readFileSync(options.logFile, 'utf8');
        return text.length > 6000 ? `…${text.slice(-6000)}` : text;
      } catch {
        return '';
      }
    },
    async stop(graceMs = 10_000) {
      if (exitReason !== undefined) {
        killGroup(child, 'SIGKILL');
        return;
      }
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), graceMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        killGroup(child, 'SIGKILL');
        await exited;
      }
      // Helpers left in its group once it is gone (a containerd whose dockerd died) go as well.
      killGroup(child, 'SIGKILL');
    },
  };
}
