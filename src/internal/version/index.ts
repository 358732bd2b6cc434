/**
 * @module The package's own version, read once from its package.json (so it is never out of
 * step with what npm installed), for `crane version` and user agents.
 */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** The version of this package, e.g. `0.1.0`; `unknown` if package.json cannot be read. */
export function version(): string {
  if (cached) return cached;
  // Compiled files live at dist/src/internal/version/: package.json is four levels up (three from
  // src/ under tsx). In the bundled CLI this code sits in dist/bin/ or dist/bin/chunks/: two or three.
  for (const rel of ['../../../../package.json', '../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'containerregistry' && pkg.version) return (cached = pkg.version);
    } catch {
      // try the next candidate
    }
  }
  return (cached = 'unknown');
}
