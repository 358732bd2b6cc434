/**
 * @module Our compiled `crane` CLI run as a subprocess, the way a script would run it: stdout kept
 * as bytes (`crane blob` writes gzip), stderr as text, and an environment of its own so the
 * default keychain reads only a temporary `DOCKER_CONFIG` and podman auth file, never the
 * machine's credentials.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What one `crane …` run did. */
export interface CraneResult {
  readonly command: string;
  /** Exit code; null when killed (a timeout included). */
  readonly code: number | null;
  /** Raw bytes: `crane blob` output is binary. */
  readonly stdoutBytes: Buffer;
  /** stdout as UTF-8. */
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Options for {@link runCrane}. */
export interface CraneRunOptions {
  /** The client's environment, from {@link craneHome} (plus any extra variables). */
  readonly env: Readonly<Record<string, string>>;
  /** Written to stdin, which is then closed (`--password-stdin`). */
  readonly input?: string;
  /** Default 60 s: every call here moves a few KiB. */
  readonly timeoutMs?: number;
}

/**
 * The `crane` that npm installs: the esbuild bundle in dist/bin (`npm run build`), so the CLI
 * tests run what ships. A bundle older than the compiled sources (tsc run alone) is refused
 * rather than tested stale.
 */
export function craneEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/test/harness when compiled; test/harness under tsx.
  const dist = existsSync(join(here, '..', '..', 'src', 'cli', 'crane.js')) ? join(here, '..', '..') : join(here, '..', '..', 'dist');
  const bundle = join(dist, 'bin', 'crane.js');
  const compiled = join(dist, 'src', 'cli', 'crane.js');
  if (!existsSync(bundle)) throw new Error(`the bundled crane CLI is missing (${bundle}): run npm run build first`);
  if (existsSync(compiled) && statSync(bundle).mtimeMs < statSync(compiled).mtimeMs) {
    throw new Error(`the bundled crane CLI (${bundle}) is older than ${compiled}: run npm run build`);
  }
  return bundle;
}

/** Variables that would let the machine's own credentials leak into a test client. */
const CREDENTIAL_VARIABLES = ['DOCKER_CONFIG', 'DOCKER_AUTH_CONFIG', 'REGISTRY_AUTH_FILE', 'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME', 'HOME'];

/** A client's home: its `HOME`, `DOCKER_CONFIG` and the config.json path in it. */
export interface CraneHome {
  readonly env: Record<string, string>;
  /** `$DOCKER_CONFIG/config.json`. */
  readonly configJson: string;
  readonly dockerConfig: string;
}

/**
 * Makes `dir` a client's home: `HOME=dir`, `DOCKER_CONFIG=dir/docker` (created, empty), and the
 * podman lookups (`XDG_RUNTIME_DIR`, `XDG_CONFIG_HOME`) pointing inside it too.
 */
export async function craneHome(dir: string): Promise<CraneHome> {
  const dockerConfig = join(dir, 'docker');
  await mkdir(dockerConfig, { recursive: true });
  await mkdir(join(dir, 'run'), { recursive: true });
  return {
    env: { HOME: dir, DOCKER_CONFIG: dockerConfig, XDG_RUNTIME_DIR: join(dir, 'run'), XDG_CONFIG_HOME: join(dir, 'config') },
    configJson: join(dockerConfig, 'config.json'),
    dockerConfig,
  };
}

/**
 * Runs `node crane.js args` with `options.env` over a copy of the test's environment from which
 * every credential location has been removed. Never rejects for a failed run.
 *
 * @example
 * const r = await runCrane(['digest', `${host}/app:v1`], { env: home.env });
 * assert.equal(r.code, 0, describeCrane(r));
 */
export function runCrane(args: readonly string[], options: CraneRunOptions): Promise<CraneResult> {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of CREDENTIAL_VARIABLES) delete env[name];
  Object.assign(env, { NO_COLOR: '1' }, options.env);
  const command = ['crane', ...args].join(' ');
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [craneEntry(), ...args],
      { env, encoding: 'buffer', timeout: options.timeoutMs ?? 60_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown; killed?: boolean; signal?: string | null }) | null;
        resolve({
          command,
          code: e === null ? 0 : typeof e.code === 'number' ? e.code : null,
          stdoutBytes: stdout,
          stdout: stdout.toString('utf8'),
          stderr: stderr.toString('utf8') + (e !== null && typeof e.code === 'string' ? e.message : ''),
          timedOut: e !== null && e.killed === true && e.signal === 'SIGKILL',
        });
      },
    );
    child.stdin?.on('error', () => {
      // crane may exit before reading stdin; the exit code tells.
    });
    child.stdin?.end(options.input ?? '');
  });
}

/** The run in a few lines for assertion messages. */
export function describeCrane(r: CraneResult): string {
  const how = r.timedOut ? 'timed out' : r.code === null ? 'was killed' : `exited ${r.code}`;
  const tail = (s: string) => (s.length > 3000 ? `…${s.slice(-3000)}` : s);
  return `${r.command} ${how}\nstderr: ${tail(r.stderr.trim())}\nstdout: ${tail(r.stdout.trim())}`;
}
