/**
 * @module Where credential sources look: the environment and home directory a call works with.
 * Every function that reads `DOCKER_CONFIG`, `HOME`, `PATH`, … takes them as options, so tests
 * and embedders can point at other places without touching `process.env`.
 */
import { homedir as osHomedir } from 'node:os';

/** Environment variables as a read-only map (`process.env` by default). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The environment and home directory a credential lookup uses. */
export interface EnvironmentOptions {
  /** Variables to read (`DOCKER_CONFIG`, `REGISTRY_AUTH_FILE`, `PATH`, …). Default `process.env`. */
  env?: Environment | undefined;
  /** The user's home directory (`~`). Default `os.homedir()`, which honours `$HOME`. */
  homedir?: string | undefined;
}

/** {@link EnvironmentOptions} with the defaults filled in. */
export interface ResolvedEnvironment {
  readonly env: Environment;
  readonly homedir: string;
}

/**
 * Fills in the defaults. The home directory follows `env.HOME` when an `env` is given without a
 * `homedir`, so a test that only swaps the environment still gets a consistent `~`.
 */
export function resolveEnvironment(options: EnvironmentOptions = {}): ResolvedEnvironment {
  const env = options.env ?? process.env;
  const homedir = options.homedir ?? (options.env ? options.env.HOME || osHomedir() : osHomedir());
  return { env, homedir };
}

/** A variable's value, or `undefined` when it is unset or empty (Go's `os.Getenv(x) != ""`). */
export function envValue(env: Environment, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' ? undefined : v;
}
