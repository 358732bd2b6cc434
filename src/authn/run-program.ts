/**
 * @module Running the external programs credentials come from (`docker-credential-*`, `gcloud`,
 * kubeconfig `exec` plugins): no shell, input on stdin, a timeout, capped output, abortable.
 */
import { spawn } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { CredentialsError } from '../errors/index.ts';
import { envValue, type Environment } from './environment.ts';

/**
 * Output beyond this is not a credential: 1 MiB leaves room for `list` over many registries
 * while a runaway program is cut off.
 */
const MAX_OUTPUT_BYTES = 1024 * 1024;

/** Options for {@link runProgram}. */
export interface RunProgramOptions {
  /** What is being run, for messages (`credential helper "pass"`). */
  what: string;
  /** The child's environment; `PATH` in it is where the program is looked up. */
  env: Environment;
  /** Written to stdin, which is then closed. */
  input?: string | undefined;
  /** Killed (SIGKILL) and rejected after this long. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

/** How the program ended and what it wrote. */
export interface ProgramResult {
  /** Exit status; `null` when killed by a signal. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `file` with `args` (never through a shell, so nothing in them is interpreted) and resolves
 * with its exit status and output whatever the status. Rejects with `CredentialsError` when it
 * cannot be started (the `cause` has `code: 'ENOENT'` when it is not on `PATH`, see
 * {@link isProgramMissing}), times out, or writes more than 1 MiB.
 */
export function runProgram(file: string, args: readonly string[], options: RunProgramOptions): Promise<ProgramResult> {
  const { what, input, timeoutMs, signal } = options;
  return new Promise<ProgramResult>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const child = spawn(file, args, {
      env: definedOnly(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const fail = (error: unknown): void => {
      child.kill('SIGKILL');
      finish(() => reject(error));
    };
    const onAbort = (): void => fail(signal?.reason);
    const timer = setTimeout(
      () => fail(new CredentialsError(`${what}: ${file} did not finish within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_OUTPUT_BYTES) {
        fail(new CredentialsError(`${what}: ${file} wrote more than 1 MiB of output`));
        return;
      }
      into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    child.on('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ENOENT' ? 'not found on PATH' : `could not be started (${e.code ?? e.message})`;
      fail(new CredentialsError(`${what}: ${file} ${why}`, { cause: e }));
    });
    child.on('close', (code) => {
      finish(() =>
        resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
      );
    });
    // A program that exits without reading its input makes the write fail with EPIPE; its exit
    // status is what tells us what happened.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** True when `err` came from {@link runProgram} because the program is not on `PATH`. */
export function isProgramMissing(err: unknown): boolean {
  return err instanceof CredentialsError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * The path of an executable called `name` on `env.PATH`, or `undefined` (Go's `exec.LookPath`),
 * for programs that are used only when present (`gcloud`).
 */
export async function findExecutable(name: string, env: Environment): Promise<string | undefined> {
  for (const dir of (envValue(env, 'PATH') ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      if ((await stat(candidate)).isFile()) return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  return undefined;
}

function definedOnly(env: Environment): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
