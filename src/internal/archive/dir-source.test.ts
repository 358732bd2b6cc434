import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dirSource } from './dir-source.ts';

let base: string;
let root: string;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'dir-source-'));
  root = join(base, 'layout');
  await mkdir(join(root, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(root, 'index.json'), '{"schemaVersion":2}');
  await writeFile(join(root, 'blobs', 'sha256', 'aa'), 'blob bytes');
  await writeFile(join(base, 'secret.txt'), 'outside secret');
  await symlink(join(base, 'secret.txt'), join(root, 'blobs', 'sha256', 'out'));
  await symlink('../../index.json', join(root, 'blobs', 'sha256', 'in'));
  await symlink('loop-b', join(root, 'loop-a'));
  await symlink('loop-a', join(root, 'loop-b'));
  execFileSync('mkfifo', [join(root, 'fifo')]);
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

const read = async (s: AsyncIterable<Buffer>) => {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c);
  return Buffer.concat(chunks).toString();
};

test('reads regular files by cleaned names', async () => {
  const src = dirSource(root);
  assert.deepEqual(await src.stat('./blobs//sha256/aa'), { name: 'blobs/sha256/aa', size: 10 });
  assert.equal(await read(await src.open('blobs/sha256/aa')), 'blob bytes');
  assert.equal((await src.readFile('index.json')).toString(), '{"schemaVersion":2}');
  assert.equal(src.description, root);
});

test('names that climb out or are absolute are refused', async () => {
  const src = dirSource(root);
  await assert.rejects(src.stat('../secret.txt'), { code: 'ERR_UNSAFE_PATH' });
  await assert.rejects(src.open('blobs/../../secret.txt'), { code: 'ERR_UNSAFE_PATH' });
  await assert.rejects(src.readFile('/etc/passwd'), { code: 'ERR_UNSAFE_PATH' });
});

test('a link out of the tree is refused; a link inside it is followed', async () => {
  const src = dirSource(root);
  await assert.rejects(src.open('blobs/sha256/out'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'ERR_UNSAFE_PATH');
    assert.match(err.message, /outside the directory/);
    return true;
  });
  await assert.rejects(src.stat('blobs/sha256/out'), { code: 'ERR_UNSAFE_PATH' });
  assert.equal((await src.readFile('blobs/sha256/in')).toString(), '{"schemaVersion":2}');
});

test('a link loop is a BadTarError (the FileSource contract)', async () => {
  await assert.rejects(dirSource(root).stat('loop-a'), { code: 'ERR_BAD_TAR' });
});

test('directories, FIFOs and missing names are not regular files', async () => {
  const src = dirSource(root);
  assert.equal(await src.stat('blobs'), undefined);
  assert.equal(await src.stat('fifo'), undefined);
  assert.equal(await src.stat('nope'), undefined);
  assert.equal(await src.stat('.'), undefined);
  await assert.rejects(src.open('fifo'), { code: 'ERR_NOT_FOUND' });
  await assert.rejects(src.open('nope'), { code: 'ERR_NOT_FOUND' });
});

test('readFile refuses files over its limit before reading them', async () => {
  await assert.rejects(dirSource(root).readFile('blobs/sha256/aa', { limit: 4 }), { code: 'ERR_TOO_LARGE' });
});

test('a missing directory is NotFoundError; an aborted signal stops the open', async () => {
  await assert.rejects(dirSource(join(base, 'missing')).open('index.json'), { code: 'ERR_NOT_FOUND' });
  const reason = new Error('stop');
  await assert.rejects(dirSource(root).open('index.json', { signal: AbortSignal.abort(reason) }), reason);
});
