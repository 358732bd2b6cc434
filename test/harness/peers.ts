/**
 * @module Finding the real tools we test against (skopeo, the distribution registry, umoci,
 * podman, dockerd, ctr, GNU tar, …). A missing peer skips its test with the reason printed;
 * with `REQUIRE_PEERS=1` (set by `.ci/run`) a missing peer fails the test instead, so CI can never
 * go green by skipping.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';

/** Debian package that provides each peer binary, for the skip message. */
const packages: Record<string, string> = {
  skopeo: 'skopeo',
  'docker-registry': 'docker-registry',
  umoci: 'umoci',
  htpasswd: 'apache2-utils',
  dockerd: 'docker.io',
  docker: 'docker.io',
  ctr: 'containerd (docker.io)',
  podman: 'podman',
  tar: 'tar',
  gzip: 'gzip',
  zstd: 'zstd',
  openssl: 'openssl',
  go: 'golang-go',
};

/** Absolute path of `name` on PATH, or undefined. */
export function which(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when the run demands every peer (CI). */
export function peersRequired(): boolean {
  return process.env['REQUIRE_PEERS'] === '1';
}

/**
 * Returns the path of peer `name`. When it is missing: under `REQUIRE_PEERS=1` the test fails
 * with a message naming the package to install; otherwise the test is skipped with that reason
 * and `undefined` is returned (the caller returns at once).
 */
export function findPeer(t: TestContext, name: string): string | undefined {
  const path = which(name);
  if (path) return path;
  const why = `peer "${name}" not found on PATH (Debian package: ${packages[name] ?? name})`;
  if (peersRequired()) throw new Error(`${why}; REQUIRE_PEERS=1 demands it`);
  console.log(`# skipped: ${why}`);
  t.skip(why);
  return undefined;
}
