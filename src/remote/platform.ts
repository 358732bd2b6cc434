/**
 * @module Which child of an index a single-image request means (ggcr's remote platform matching):
 * OS and architecture equal; variant and os.version equal when asked for; asked features and
 * os.features a subset of the child's. Children without a platform count as linux/amd64.
 */
import type { Descriptor } from '../v1/descriptor.ts';
import type { Platform } from '../v1/platform.ts';
import { DEFAULT_PLATFORM } from './options.ts';

function subset(want: readonly string[] = [], have: readonly string[] = []): boolean {
  const set = new Set(have);
  return want.every((w) => set.has(w));
}

/** True when `child` (a descriptor's platform, or none) serves `wanted`. */
export function platformMatches(child: Platform | undefined, wanted: Platform): boolean {
  const p = child ?? DEFAULT_PLATFORM;
  if (p.os !== wanted.os || p.architecture !== wanted.architecture) return false;
  if (wanted.variant && wanted.variant !== (p.variant ?? '')) return false;
  if (wanted['os.version'] && wanted['os.version'] !== (p['os.version'] ?? '')) return false;
  return subset(wanted.features, p.features) && subset(wanted['os.features'], p['os.features']);
}

/** The first child serving `wanted`, or undefined. */
export function pickChild(children: readonly Descriptor[], wanted: Platform): Descriptor | undefined {
  return children.find((d) => platformMatches(d.platform, wanted));
}
