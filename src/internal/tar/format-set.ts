/**
 * @module Sets of tar header formats as bit masks, the way Go's archive/tar narrows the format
 * of a header while reading it and chooses one while writing it.
 */
import type { TarFormat } from './header.ts';

/** Bit values as in Go's `tar.Format`, so a reading of its source maps one to one. */
export const V7 = 1;
export const USTAR = 2;
export const PAX = 4;
export const GNU = 8;
export const STAR = 16;

/** The public name of a narrowed format set; undefined where Go reports FormatUnknown. */
export function formatName(set: number): TarFormat | undefined {
  if (set & USTAR) return 'ustar';
  if (set & PAX) return 'pax';
  if (set & GNU) return 'gnu';
  return undefined;
}

/** The bit for a public format name; 0 (unknown) when none is given. */
export function formatBit(format: TarFormat | undefined): number {
  switch (format) {
    case 'ustar':
      return USTAR;
    case 'pax':
      return PAX;
    case 'gnu':
      return GNU;
    default:
      return 0;
  }
}
