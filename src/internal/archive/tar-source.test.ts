import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { BadTarError, NotFoundError, TooLargeError, UnsafePathError } from '../../errors/index.ts';
import { bothSources, chunked, collect, dir, file, hardlink, symlink, tarBytes, tempFolder, writeArchive } from './archive.test-fixtures.ts';
import { openerTarSource } from './opener-source.ts';
import { openTarSource } from './tar-source.ts';

let folder: Awaited<ReturnType<typeof tempFolder>>;
before(async () => {
  folder = await tempFolder();
});
after(async () => {
  await folder.cleanup();
});

const big = randomBytes(3 * 1024 * 1024 + 17);
const longName = `blobs/sha256/${'d'.repeat(64)}/${'x'.repeat(80)}`;

async function sample(): Promise<Buffer> {
  return tarBytes([
    dir('./'),
    file('./manifest.json', '[{"Config":"c.json"}]'),
    dir('blobs/'),
    dir('blobs/sha256/'),
    file('blobs/sha256/big', big),
    file('empty', ''),
    file(longName, 'long name, PAX header'),
    symlink('blobs/sha256/alias', 'big'),
    symlink('top', 'blobs/sha256/alias'),
    symlink('folder-link', 'blobs'),
    hardlink('hard', 'blobs/sha256/big'),
    symlink('blobs/sha256/up', '../../manifest.json'),
  ]);
}

for (const kind of ['file', 'opener'] as const) {
  describe(`${kind} tar source`, () => {
    const make = async (bytes: Buffer) => (await bothSources(folder.dir, bytes)).find((s) => s.kind === kind)!.source();

    test('reads files by cleaned name, streamed and whole', async () => {
      const s = await make(await sample());
      assert.equal((await s.readFile('manifest.json')).toString(), '[{"Config":"c.json"}]');
      assert.deepEqual(await s.stat('.//blobs/./sha256/big'), { name: 'blobs/sha256/big', size: big.length });
      assert.ok((await collect(await s.open('blobs/sha256/big'))).equals(big));
      assert.equal((await collect(await s.open('empty'))).length, 0);
      assert.equal((await s.readFile(longName)).toString(), 'long name, PAX header');
      // Folders, devices and absent names are not files.
      assert.equal(await s.stat('blobs'), undefined);
      assert.equal(await s.stat('nope'), undefined);
      assert.equal(await s.stat('manifest.json/x'), undefined);
      await assert.rejects(s.open('nope'), (e: unknown) => e instanceof NotFoundError && /has no file "nope"/.test(e.message));
    });

    test('head gives the first bytes the scan recorded, through links too, without reading the file again', async () => {
      const s = await make(await sample());
      assert.ok(s.head, 'both tar sources offer head');
      assert.ok((await s.head('blobs/sha256/big')).equals(big.subarray(0, 4)));
      assert.ok((await s.head('top')).equals(big.subarray(0, 4)), 'a symlink chain leads to the file it names');
      assert.ok((await s.head('hard')).equals(big.subarray(0, 4)));
      assert.equal((await s.head('empty')).length, 0, 'an empty file has no head');
      assert.equal((await s.head(longName)).toString(), 'long');
      await assert.rejects(s.head('nope'), NotFoundError);
    });

    test('follows symlinks from their folder and hard links from the root, through folders too', async () => {
      const s = await make(await sample());
      assert.ok((await s.readFile('blobs/sha256/alias')).equals(big));
      assert.ok((await s.readFile('top')).equals(big), 'a chain of two symlinks');
      assert.ok((await s.readFile('hard')).equals(big), 'a hard link names an archive path');
      assert.ok((await s.readFile('folder-link/sha256/big')).equals(big), 'a symlink to a folder');
      assert.equal((await s.readFile('blobs/sha256/up')).toString(), '[{"Config":"c.json"}]', '.. inside the root is fine');
      assert.equal((await s.stat('top'))?.size, big.length);
    });

    test('refuses names that are absolute or climb out, before looking', async () => {
      const s = await make(await sample());
      for (const name of ['/manifest.json', '../manifest.json', 'blobs/../../manifest.json']) {
        await assert.rejects(s.stat(name), (e: unknown) => e instanceof UnsafePathError && e.entry === name && e.message.includes(JSON.stringify(name)));
      }
    });

    test('refuses links that leave the archive, naming the link', async () => {
      const bytes = await tarBytes([
        file('real', 'x'),
        symlink('a/out', '../../etc/passwd'),
        symlink('abs', '/etc/passwd'),
        hardlink('hard-out', '../x'),
        symlink('via', 'a/out'),
      ]);
      const s = await make(bytes);
      await assert.rejects(s.open('a/out'), (e: unknown) => e instanceof UnsafePathError && /symlink "a\/out" -> "..\/..\/etc\/passwd".*outside the archive root/.test(e.message));
      await assert.rejects(s.stat('abs'), (e: unknown) => e instanceof UnsafePathError && /symlink "abs" -> "\/etc\/passwd"/.test(e.message));
      await assert.rejects(s.readFile('hard-out'), (e: unknown) => e instanceof UnsafePathError && /hard link "hard-out"/.test(e.message));
      await assert.rejects(s.stat('via'), (e: unknown) => e instanceof UnsafePathError && /links followed: symlink "via" -> "a\/out", symlink "a\/out"/.test(e.message));
    });

    test('a link loop is a BadTarError naming the chain', async () => {
      const bytes = await tarBytes([symlink('a', 'b'), symlink('b', 'dir/c'), symlink('dir/c', '../a'), symlink('self', 'self'), symlink('grow', 'grow/x')]);
      const s = await make(bytes);
      await assert.rejects(s.open('a'), (e: unknown) => {
        assert.ok(e instanceof BadTarError);
        assert.match(e.message, /links loop while looking up "a": symlink "a" -> "b", symlink "b" -> "dir\/c", symlink "dir\/c" -> "..\/a"/);
        return true;
      });
      await assert.rejects(s.stat('self'), BadTarError);
      await assert.rejects(s.stat('grow'), (e: unknown) => e instanceof BadTarError && /loop/.test(e.message), 'a loop that grows is cut off too');
    });

    test('an entry whose own name leaves the root is never served, and says so', async () => {
      const bytes = await tarBytes([file('../manifest.json', 'evil'), file('/index.json', 'evil'), file('ok', 'fine')]);
      const s = await make(bytes);
      assert.equal((await s.readFile('ok')).toString(), 'fine');
      await assert.rejects(s.readFile('manifest.json'), (e: unknown) => e instanceof UnsafePathError && e.entry === '../manifest.json' && /header at byte offset 0/.test(e.message));
      await assert.rejects(s.stat('index.json'), (e: unknown) => e instanceof UnsafePathError && e.entry === '/index.json');
    });

    test('two entries with one cleaned name are refused, naming both offsets', async () => {
      const bytes = await tarBytes([dir('d/'), dir('./d/'), file('d/m.json', 'one'), file('./d//m.json', 'two')]);
      // The file source scans when it is made, the opener source on first use: either refuses.
      await assert.rejects(async () => (await make(bytes)).stat('d/m.json'), (e: unknown) => {
        assert.ok(e instanceof BadTarError);
        assert.match(e.message, /two entries named "d\/m.json" \(written as "d\/m.json" and ".\/d\/\/m.json"\), with headers at byte offsets 1024 and 2048/);
        return true;
      });
    });

    test('readFile honours its limit', async () => {
      const s = await make(await sample());
      await assert.rejects(s.readFile('blobs/sha256/big', { limit: 1024 }), (e: unknown) => e instanceof TooLargeError && e.limit === 1024);
    });
  });
}

describe('truncated archives', () => {
  test('data cut short is caught by the scan, naming the entry and offsets', async () => {
    const whole = await tarBytes([file('a', 'x'.repeat(100)), file('layer.tar', randomBytes(5000))]);
    // Cut inside layer.tar's data: header of "a" 0, data 512..1024, header of layer.tar 1024, data from 1536.
    const cut = whole.subarray(0, 1536 + 3000);
    const path = await writeArchive(folder.dir, 'cut.tar', cut);
    await assert.rejects(openTarSource(path), (e: unknown) => {
      assert.ok(e instanceof BadTarError);
      assert.equal(
        e.message,
        `archive ${path} is truncated: entry "layer.tar" (header at byte offset 1024) has 5000 bytes of data from byte offset 1536, padded to a 512-byte block, but the archive ends at byte 4536`,
      );
      return true;
    });
    const s = openerTarSource(async () => chunked(cut));
    await assert.rejects(s.stat('a'), (e: unknown) => e instanceof BadTarError && /is truncated: entry "layer.tar"/.test(e.message));
  });

  test('a header cut short is a BadTarError naming the archive', async () => {
    const whole = await tarBytes([file('a', 'x')]);
    const path = await writeArchive(folder.dir, 'half-header.tar', whole.subarray(0, 1024 + 100));
    await assert.rejects(openTarSource(path), (e: unknown) => e instanceof BadTarError && e.message.startsWith(`archive ${path}: `) && /ends inside a header at byte offset 1024/.test(e.message));
  });

  test('a gzip-compressed archive (docker save | gzip) is named as such, not as a bad checksum', async () => {
    const { gzipSync } = await import('node:zlib');
    const path = await writeArchive(folder.dir, 'saved.tar.gz', gzipSync(await tarBytes([file('a', 'x')])));
    await assert.rejects(openTarSource(path), (e: unknown) => e instanceof BadTarError && /is gzip-compressed, not a tar archive: decompress it first/.test(e.message));
    const random = await writeArchive(folder.dir, 'letters.tar', Buffer.alloc(2048, 0x41));
    await assert.rejects(openTarSource(random), (e: unknown) => e instanceof BadTarError && /checksum/.test(e.message), 'other garbage still says what is wrong with it');
  });
});

test('the file source notices the archive changed after the scan', async () => {
  const path = await writeArchive(folder.dir, 'changing.tar', await tarBytes([file('a', 'first')]));
  const s = await openTarSource(path);
  assert.equal((await s.readFile('a')).toString(), 'first');
  await writeFile(path, await tarBytes([file('a', 'second, longer')]));
  await assert.rejects(s.open('a'), (e: unknown) => e instanceof BadTarError && /changed since it was scanned/.test(e.message));
});

test('the opener source reads the archive again for each file, and checks it is the same', async () => {
  let bytes = await tarBytes([file('a', 'alpha'), file('b', 'beta')]);
  let opened = 0;
  const s = openerTarSource(async () => {
    opened++;
    return chunked(bytes, 100);
  });
  assert.equal(opened, 0, 'nothing is read before the first call');
  assert.equal((await s.readFile('b')).toString(), 'beta');
  assert.equal((await s.readFile('a')).toString(), 'alpha');
  assert.equal(opened, 3, 'one scan, then one read per file');
  // Same names, but "b" is now one block further on.
  bytes = await tarBytes([file('a', 'x'.repeat(600)), file('b', 'beta')]);
  await assert.rejects(s.readFile('b'), (e: unknown) => e instanceof BadTarError && /not the archive it was when scanned/.test(e.message));
});

test('an aborted scan and an aborted read reject with the reason', async () => {
  const path = await writeArchive(folder.dir, 'abort.tar', await sample());
  const reason = new Error('stop');
  await assert.rejects(openTarSource(path, { signal: AbortSignal.abort(reason) }), (e: unknown) => e === reason);
  const s = await openTarSource(path);
  const ac = new AbortController();
  const stream = await s.open('blobs/sha256/big', { signal: ac.signal });
  ac.abort(reason);
  await assert.rejects(collect(stream));
});
