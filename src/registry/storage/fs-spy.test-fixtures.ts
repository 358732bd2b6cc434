/**
 * @module Test helper: records the paths the disk backend hands to `node:fs/promises` functions,
 * so a test can pin how many times a file is stat'ed or read. The calls still go through.
 */
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { mock, type TestContext } from 'node:test';

type Spied = 'stat' | 'readFile' | 'open';

/** The paths passed so far, per spied function. */
export interface FsSpy {
  /** Paths passed to `name` (first argument, as a string), in call order. */
  paths(name: Spied): string[];
  /** How many calls to `name` were for exactly `path`. */
  count(name: Spied, path: string): number;
  /** Forgets the calls so far. */
  reset(): void;
}

/** Spies on `names` of `node:fs/promises` until the test ends. */
export function spyFs(t: TestContext, names: readonly Spied[]): FsSpy {
  const spies = new Map(names.map((name) => [name, mock.method(fsp, name)]));
  // Modules import these functions by name; the ES bindings follow the object only when synced.
  syncBuiltinESMExports();
  t.after(() => {
    for (const spy of spies.values()) spy.mock.restore();
    syncBuiltinESMExports();
  });
  const paths = (name: Spied) => (spies.get(name)?.mock.calls ?? []).map((c) => String(c.arguments[0]));
  return {
    paths,
    count: (name, path) => paths(name).filter((p) => p === path).length,
    reset: () => {
      for (const spy of spies.values()) spy.mock.resetCalls();
    },
  };
}
