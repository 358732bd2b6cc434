import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { lstat, mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { extract } from 'tar-stream';
import { hasCode } from '../../errors/index.ts';
import type { TarHeader } from './header.ts';
import { createTarStream, END_OF_ARCHIVE, padding, type TarEntry } from './writer.ts';
import { buffer as collect } from 'node:stream/consumers';

const run = promisify(execFile);
const gnuTar = spawnSync('tar', ['--version'], { encoding: 'utf8' }).stdout?.includes('GNU tar') ?? false;
const skipTar = gnuTar ? false : process.env['REQUIRE_PEERS'] === '1' ? false : 'GNU tar is not installed';

const t0 = new Date(1_700_000_000_000);
const BIG = 5 * 1024 * 1024;

function pattern(n: number, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * seed + (i >> 9)) & 0xff;
  return b;
}

/** A Readable of `data` in 64 KiB chunks, produced only as it is read. */
function chunked(data: Buffer, chunk = 64 * 1024): Readable {
  let at = 0;
  return new Readable({
    read() {
      if (at >= data.length) {
        this.push(null);
        return;
      }
      this.push(data.subarray(at, at + chunk));
      at += chunk;
    },
  });
}

const deepName = `top/${Array.from({ length: 5 }, (_, i) => `${String(i).repeat(50)}/`).join('')}deep.txt`;
const longLink = `../${'x'.repeat(150)}`;

/** The mix the interop tests write: every kind of name Go needs PAX for, links, empty and big files. */
function sampleEntries(): Array<{ header: TarHeader; data: Buffer }> {
  const file = (name: string, data: Buffer, extra: Partial<TarHeader> = {}): { header: TarHeader; data: Buffer } => ({
    header: { name, type: 'file', mode: 0o644, size: data.length, mtime: t0, uname: 'builder', gname: 'staff', uid: 1000, gid: 50, ...extra },
    data,
  });
  const none = Buffer.alloc(0);
  return [
    { header: { name: 'top/', type: 'directory', mode: 0o755, mtime: t0 }, data: none },
    file('top/hello.txt', Buffer.from('hello, world\n')),
    file(`top/${'a'.repeat(150)}`, Buffer.from('over 100 bytes, no split possible\n')),
    file(deepName, Buffer.from('over 255 bytes\n')),
    file('top/héllo-wörld-日本.txt', Buffer.from('non-ASCII name\n')),
    file('top/empty', none),
    file('top/run.sh', Buffer.from('#!/bin/sh\n'), { mode: 0o755 }),
    file('top/sub-second', Buffer.from('ms\n'), { mtime: new Date(1_700_000_000_250), format: 'pax' }),
    file('top/big.bin', pattern(BIG)),
    { header: { name: 'top/sym', type: 'symlink', mode: 0o777, mtime: t0, linkname: 'hello.txt' }, data: none },
    { header: { name: 'top/longlink', type: 'symlink', mode: 0o777, mtime: t0, linkname: longLink }, data: none },
    { header: { name: 'top/hard', type: 'link', mode: 0o644, mtime: t0, linkname: 'top/hello.txt' }, data: none },
  ];
}

function toEntries(samples: Array<{ header: TarHeader; data: Buffer }>): TarEntry[] {
  return samples.map(({ header, data }) =>
    data.length >= 1024 * 1024 ? { header, body: chunked(data) } : data.length > 0 ? { header, body: data } : { header },
  );
}

describe('createTarStream output read by GNU tar', { skip: skipTar }, () => {
  let dir = '';
  let archive = '';
  const samples = sampleEntries();
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tar-writer-'));
    archive = join(dir, 'out.tar');
    await writeFile(archive, await collect(createTarStream(toEntries(samples))));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('lists every entry with its name, type and link target', async () => {
    const { stdout } = await run('tar', ['--quoting-style=literal', '--numeric-owner', '-tvf', archive], {
      maxBuffer: 1 << 20,
    });
    const lines = stdout.trimEnd().split('\n');
    assert.equal(lines.length, samples.length);
    for (const [i, { header }] of samples.entries()) {
      const line = lines[i] ?? '';
      assert.ok(line.includes(header.name), `line ${i} ${JSON.stringify(line)} lacks ${header.name}`);
      const kind = { directory: 'd', file: '-', symlink: 'l', link: 'h' }[header.type as 'file'];
      assert.equal(line[0], kind, line);
      if (header.type === 'symlink') assert.ok(line.endsWith(`-> ${header.linkname}`), line);
      if (header.type === 'link') assert.ok(line.endsWith(`link to ${header.linkname}`), line);
      if (header.name === 'top/hello.txt') assert.match(line, /^-rw-r--r-- 1000\/50 +13 2023-11-14 /);
    }
  });

  test('extracts identical contents, modes, link targets and mtimes', async () => {
    const root = join(dir, 'x');
    await run('mkdir', [root]);
    await run('tar', ['-xpf', archive, '-C', root, '--no-same-owner']);
    for (const { header, data } of samples) {
      const path = join(root, header.name);
      const st = await lstat(path);
      if (header.type === 'file') {
        assert.ok(st.isFile(), header.name);
        assert.ok((await readFile(path)).equals(data), `${header.name} content`);
        assert.equal(st.mode & 0o7777, header.mode, `${header.name} mode`);
        assert.equal(st.mtimeMs, header.format === 'pax' ? header.mtime?.getTime() : t0.getTime(), `${header.name} mtime`);
      } else if (header.type === 'directory') {
        assert.ok(st.isDirectory());
      } else if (header.type === 'symlink') {
        assert.ok(st.isSymbolicLink());
        assert.equal(await readlink(path), header.linkname);
      } else if (header.type === 'link') {
        const target = await stat(join(root, header.linkname ?? ''));
        assert.equal(st.ino, target.ino, 'hard link shares the inode of its target');
      }
    }
  });
});

describe('createTarStream output read by tar-stream', () => {
  test('yields the same headers and bodies', async () => {
    const samples = sampleEntries().filter((s) => s.header.format === undefined);
    const archive = await collect(createTarStream(toEntries(samples)));
    const ex = extract();
    Readable.from([archive]).pipe(ex);
    let i = 0;
    for await (const entry of ex) {
      const want = samples[i++];
      assert.ok(want);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const h = entry.header;
      assert.equal(h.name, want.header.name);
      assert.equal(h.type, want.header.type);
      assert.equal(h.mode, want.header.mode);
      assert.equal(h.mtime.getTime(), want.header.mtime?.getTime());
      assert.equal(h.linkname ?? '', want.header.linkname ?? '');
      assert.equal(h.uid, want.header.uid ?? 0);
      assert.equal(h.gid, want.header.gid ?? 0);
      assert.equal(h.uname, want.header.uname ?? '');
      assert.equal(h.size, want.data.length);
      assert.ok(body.equals(want.data), `${want.header.name} body`);
    }
    assert.equal(i, samples.length);
  });
});

describe('createTarStream', () => {
  test('ends with END_OF_ARCHIVE and pads every body to 512 bytes', async () => {
    const out = await collect(createTarStream([{ header: { name: 'a', type: 'file', size: 3 }, body: Buffer.from('abc') }]));
    assert.equal(out.length, 512 + 512 + 1024);
    assert.equal(out.toString('latin1', 512, 515), 'abc');
    assert.ok(out.subarray(515, 1024).equals(padding(3)));
    assert.ok(out.subarray(1024).equals(Buffer.from(END_OF_ARCHIVE)));
    assert.equal(padding(512).length, 0);
    assert.equal(padding(0).length, 0);
    assert.equal(padding(513).length, 511);
  });

  test('an empty list is just the end-of-archive marker', async () => {
    const out = await collect(createTarStream([]));
    assert.ok(out.equals(Buffer.alloc(1024)));
  });

  test('takes entries from an async iterable', async () => {
    async function* entries(): AsyncGenerator<TarEntry> {
      yield { header: { name: 'one', type: 'file', size: 1 }, body: Buffer.from('1') };
      yield { header: { name: 'two', type: 'file', size: 2 }, body: Readable.from([Buffer.from('2'), Buffer.from('2')]) };
    }
    const out = await collect(createTarStream(entries()));
    assert.equal(out.length, 4 * 512 + 1024);
    assert.equal(out.toString('latin1', 1536, 1538), '22');
  });

  test('fails with BadTarError naming the entry when a stream body is too long', async () => {
    const entries = [{ header: { name: 'long', type: 'file' as const, size: 4 }, body: Readable.from([Buffer.from('12345')]) }];
    await assert.rejects(collect(createTarStream(entries)), (err: Error) => {
      assert.ok(hasCode(err, 'ERR_BAD_TAR'), String(err));
      assert.match(err.message, /"long".*at least 5 bytes.*says 4/);
      return true;
    });
  });

  test('fails with BadTarError naming the entry when a stream body is too short', async () => {
    const entries = [{ header: { name: 'short', type: 'file' as const, size: 10 }, body: Readable.from([Buffer.from('123')]) }];
    await assert.rejects(collect(createTarStream(entries)), (err: Error) => {
      assert.ok(hasCode(err, 'ERR_BAD_TAR'), String(err));
      assert.match(err.message, /"short" is 3 bytes, but its header says 10/);
      return true;
    });
  });

  test('fails when a buffer body differs from the size, or a symlink carries a body', async () => {
    await assert.rejects(
      collect(createTarStream([{ header: { name: 'b', type: 'file', size: 2 }, body: Buffer.from('abc') }])),
      /"b" is 3 bytes, but its header says 2/,
    );
    await assert.rejects(
      collect(createTarStream([{ header: { name: 's', type: 'symlink', linkname: 't' }, body: Buffer.from('x') }])),
      /"s" is 1 bytes, but its header says 0/,
    );
  });

  test('a header-only type writes its size field but no body, as Go does', async () => {
    const out = await collect(createTarStream([{ header: { name: 'd/', type: 'directory', size: 100 } }]));
    assert.equal(out.length, 512 + 1024);
    assert.equal(out.toString('latin1', 124, 136), '00000000144\0');
  });

  test('fails with InvalidArgumentError for a header no format can hold', async () => {
    await assert.rejects(collect(createTarStream([{ header: { name: 'f/', type: 'file' } }])), (err: Error) => {
      assert.ok(hasCode(err, 'ERR_INVALID_ARGUMENT'));
      assert.match(err.message, /"f\/".*may not end in "\/"/);
      return true;
    });
    await assert.rejects(
      collect(createTarStream([{ header: { name: 'u', type: 'file', uname: 'ü'.repeat(20), format: 'ustar' } }])),
      /USTAR cannot encode uname/,
    );
  });

  test('reads a stream body only as fast as the output is read', async () => {
    let produced = 0;
    const total = 8 * 1024 * 1024;
    const body = new Readable({
      highWaterMark: 64 * 1024,
      read() {
        const n = Math.min(64 * 1024, total - produced);
        produced += n;
        this.push(n > 0 ? Buffer.alloc(n) : null);
      },
    });
    const out = createTarStream([{ header: { name: 'big', type: 'file', size: total }, body }]);
    const first = await new Promise<Buffer>((resolve) => out.once('data', resolve));
    out.pause();
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(first.length > 0);
    assert.ok(produced <= 1024 * 1024, `pulled ${produced} bytes of the body while the output was paused`);
    out.destroy();
    await new Promise((r) => setTimeout(r, 10));
    assert.ok(body.destroyed, 'destroying the output destroys the body being copied');
  });

  test('an output destroyed while the headers before a stream body are flushed still closes that body', async () => {
    const body = new Readable({ read() {} });
    // A small file entry batches its header; the stream entry then flushes that batch first.
    const out = createTarStream([
      { header: { name: 'small', type: 'file', size: 3 }, body: Buffer.from('abc') },
      { header: { name: 'streamed', type: 'file', size: 10 }, body },
    ]);
    const first = await new Promise<Buffer>((resolve) => out.once('data', resolve));
    assert.ok(first.length >= 1024, 'the first chunk is the batch: header and data of "small", header of "streamed"');
    out.destroy();
    await new Promise((r) => setTimeout(r, 10));
    assert.ok(body.destroyed, 'the body (a file, say) is not left open');
  });

  test('an aborted signal fails the stream and destroys the pending body', async () => {
    const controller = new AbortController();
    const body = new Readable({ read() {} }); // never produces: only the abort can end it
    const out = createTarStream([{ header: { name: 'stuck', type: 'file', size: 10 }, body }], { signal: controller.signal });
    const done = collect(out);
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(done, { name: 'AbortError' });
    assert.ok(body.destroyed);
  });
});
