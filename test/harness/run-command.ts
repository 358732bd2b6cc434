/**
 * @module Running a peer command to completion with a hard timeout, capturing its output, so a
 * cross-tool test can assert on the exit code with stderr in the failure message and can never
 * hang on a peer that stops answering.
 */
import { execFile } from 'node:child_process';

/** What a finished command did. */
export interface CommandResult {
  /** The command line, for messages. */
  readonly command: string;
  /** Exit code; null when killed by a signal (a timeout included). */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the timeout killed it. */
  readonly timedOut: boolean;
}

/** Options for {@link runCommand}. */
export interface RunOptions {
  /** Default 60 s: every peer call here takes well under a second on a quiet machine. */
  readonly timeoutMs?: number;
  /** Added to (not replacing) the test process's environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Written to stdin, which is then closed (e.g. `docker login --password-stdin`). */
  readonly input?: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Runs `file args` and resolves with its exit code and output; never rejects for a non-zero exit
 * or a timeout (the caller asserts on the result). SIGKILL on timeout: a peer stuck in a retry
 * loop may ignore SIGTERM.
 *
 * @example
 * const r = await runCommand('skopeo', ['list-tags', 'docker://127.0.0.1:5000/repo']);
 * assert.equal(r.code, 0, describeResult(r));
 */
export function runCommand(file: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const command = [file, ...args].join(' ');
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
        ...(options.cwd ? { cwd: options.cwd } : {}),
        env: { ...process.env, ...options.env },
      },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown; signal?: NodeJS.Signals | null; killed?: boolean }) | null;
        // A spawn failure (ENOENT) has a string code; report it as a failed run with the reason.
        const spawnFailed = e !== null && typeof e.code === 'string';
        resolve({
          command,
          code: e === null ? 0 : typeof e.code === 'number' ? e.code : null,
          signal: e?.signal ?? null,
          stdout,
          stderr: spawnFailed ? `${stderr}${e.message}` : stderr,
          timedOut: e !== null && e.killed === true && e.signal === 'SIGKILL',
        });
      },
    );
    child.stdin?.on('error', () => {
      // The command may exit before reading its input; its exit code tells the story.
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** A one-paragraph account of a run for assertion messages: the command, how it ended, its stderr. */
export function describeResult(r: CommandResult): string {
  const how = r.timedOut ? 'timed out' : r.code === null ? `killed by ${r.signal ?? 'a signal'}` : `exited ${r.code}`;
  const tail = (s: string) => (s.length > 4000 ? `…${s.slice(-4000)}` : s);
  return `${r.command} ${how}\nstderr: ${tail(r.stderr.trim())}\nstdout: ${tail(r.stdout.trim())}`;
}

/** Runs a command that must succeed; rejects with {@link describeResult} otherwise. */
export async function mustRun(file: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const r = await runCommand(file, args, options);
  if (r.code !== 0) throw new Error(describeResult(r));
  return r;
}
