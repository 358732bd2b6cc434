/**
 * @module Which child of an index a single-image request means (ggcr's remote platform matching):
 * OS and architecture equal; variant and os.version equal when asked for; asked features and
 * os.features a subset of the child's. Children without a platform count as linux/amd64.
 */
import type { Descriptor } from '../v1/descriptor.ts';
import { Platform } from '../v1/platform.ts';
import { DEFAULT_PLATFORM } from './options.ts';

/** True when `child` (a descriptor's platform, or none) serves `wanted` (ggcr `Satisfies`). */
export function platformMatches(child: Platform | undefined, wanted: Platform): boolean {
  return Platform.satisfies(child ?? DEFAULT_PLATFORM, wanted);
}

/** The first child serving `wanted`, or undefined. */
export function pickChild(children: readonly Descriptor[], wanted: Platform): Descriptor | undefined {
  return children.find((d) => platformMatches(d.platform, wanted));
}
