/**
 * @module Byte-for-byte comparison with Go's archive/tar: the archives in test/golden/tar were
 * written by Go (gen.go) from the headers in cases.json, and those in test/golden/tar/foreign are
 * archives from GNU tar and tar-stream that Go read and wrote back (as ggcr's mutate does).
 */
import assert from 'node:assert/strict';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodeHeader } from './encode-header.ts';
import { typeOfTypeflag, type TarFormat, type TarHeader } from './header.ts';
import { formatPaxTime, type TarTime } from './pax.ts';
import { readTar } from './reader.ts';
import { createTarStream, type TarEntry } from './writer.ts';

interface GoldenEntry {
  name: string;
  typeflag: string;
  mode?: string;
  uid?: number;
  gid?: number;
  size?: number;
  mtime?: TarTime;
  atime?: TarTime;
  ctime?: TarTime;
  uname?: string;
  gname?: string;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string>;
  format?: TarFormat;
  body?: string;
  bodyPattern?: number;
}

interface GoldenCase {
  file: string;
  headerOnly?: boolean;
  entries: GoldenEntry[];
}

/** The golden folder at the repository root, found from wherever this test was compiled to. */
function goldenDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'test', 'golden', 'tar');
    if (existsSync(join(candidate, 'cases.json'))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('test/golden/tar not found above the test file');
    dir = up;
  }
}

function bodyOf(e: GoldenEntry): Buffer {
  if (e.bodyPattern !== undefined) return Buffer.from(Array.from({ length: e.bodyPattern }, (_, i) => i % 251));
  return Buffer.from(e.body ?? '');
}

function dateOf(t: TarTime): Date {
  return new Date(t.sec * 1000 + Math.floor(t.nsec / 1e6));
}

/** The TarHeader a caller would write for the Go header of a case. */
function headerOf(e: GoldenEntry): TarHeader {
  const type = typeOfTypeflag(e.typeflag);
  const header: TarHeader = { name: e.name, type, size: e.size ?? bodyOf(e).length };
  if (type === 'other') header.typeflag = e.typeflag;
  if (e.mode !== undefined) header.mode = parseInt(e.mode, 8);
  if (e.uid !== undefined) header.uid = e.uid;
  if (e.gid !== undefined) header.gid = e.gid;
  if (e.uname !== undefined) header.uname = e.uname;
  if (e.gname !== undefined) header.gname = e.gname;
  if (e.linkname !== undefined) header.linkname = e.linkname;
  if (e.devmajor !== undefined) header.devmajor = e.devmajor;
  if (e.devminor !== undefined) header.devminor = e.devminor;
  if (e.format !== undefined) header.format = e.format;
  const pax: Record<string, string> = { ...e.pax };
  for (const key of ['mtime', 'atime', 'ctime'] as const) {
    const t = e[key];
    if (t === undefined) continue;
    header[key] = dateOf(t);
    // A Date keeps milliseconds; a PAX record carries the nanoseconds, as the reader provides.
    if (e.format === 'pax' && t.nsec % 1e6 !== 0) pax[key] = formatPaxTime(t);
  }
  if (e.pax !== undefined || Object.keys(pax).length > 0) header.pax = pax;
  return header;
}

function assertSameBytes(actual: Buffer, expected: Buffer, what: string): void {
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  if (i === actual.length && i === expected.length) return;
  const window = (b: Buffer): string => JSON.stringify(b.toString('latin1', Math.max(0, i - 16), i + 16));
  assert.fail(
    `${what}: first difference at byte ${i} (block ${Math.floor(i / 512)}, offset ${i % 512}); ` +
      `lengths ${actual.length} vs ${expected.length}\n ours: ${window(actual)}\n   go: ${window(expected)}`,
  );
}

const dir = goldenDir();
const cases = JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as GoldenCase[];

test('the golden set covers every format Go chooses', () => {
  const all = cases.flatMap((c) => c.entries);
  assert.ok(cases.length >= 25, `only ${cases.length} golden cases`);
  assert.ok(all.some((e) => e.format === 'gnu'));
  assert.ok(all.some((e) => Buffer.byteLength(e.name) > 255));
});

for (const golden of cases) {
  test(`writes ${golden.file}.tar byte for byte as Go's archive/tar`, async () => {
    const expected = readFileSync(join(dir, `${golden.file}.tar`));
    if (golden.headerOnly) {
      const first = golden.entries[0];
      assert.ok(first);
      assertSameBytes(encodeHeader(headerOf(first)), expected, golden.file);
      return;
    }
    const entries: TarEntry[] = golden.entries.map((e) => {
      const body = bodyOf(e);
      return body.length > 0 ? { header: headerOf(e), body } : { header: headerOf(e) };
    });
    const actual = Buffer.concat(await createTarStream(entries).toArray());
    assertSameBytes(actual, expected, golden.file);
  });
}

/** Reads an archive with our reader and writes it back with our writer, as mutate.Extract and mutate.Time do. */
async function rewrite(path: string, setTime: Date | undefined): Promise<Buffer> {
  const entries: TarEntry[] = [];
  for await (const { header, body } of readTar(createReadStream(path))) {
    if (setTime) {
      header.mtime = setTime;
      if (header.format === 'pax' || header.format === 'gnu') {
        header.atime = setTime;
        header.ctime = setTime;
      }
    }
    entries.push({ header, body: Buffer.concat(await body.toArray()) });
  }
  return Buffer.concat(await createTarStream(entries).toArray());
}

const foreign = join(dir, 'foreign');
const inputs = readdirSync(foreign).filter((f) => f.endsWith('.tar') && !f.includes('.go-'));

test('the foreign archives include every GNU tar format and tar-stream', () => {
  for (const want of ['gnu-gnu.tar', 'gnu-posix.tar', 'gnu-ustar.tar', 'gnu-v7.tar', 'tar-stream.tar']) {
    assert.ok(inputs.includes(want), want);
  }
});

for (const input of inputs) {
  const base = input.slice(0, -'.tar'.length);
  test(`reads ${input} and writes it back as Go does`, async () => {
    const expected = readFileSync(join(foreign, `${base}.go-rewrite.tar`));
    assertSameBytes(await rewrite(join(foreign, input), undefined), expected, `${base} rewritten`);
  });
  test(`reads ${input} and writes it back with new times as Go's mutate.Time does`, async () => {
    const expected = readFileSync(join(foreign, `${base}.go-time.tar`));
    assertSameBytes(await rewrite(join(foreign, input), new Date(1600000000 * 1000)), expected, `${base} retimed`);
  });
}
