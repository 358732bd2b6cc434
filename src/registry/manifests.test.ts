// What a manifest PUT reads from the storage: an index's children are checked, not read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { listen } from './server.ts';
import { blob, image, index, pushBlob } from './storage/contract.test-fixtures.ts';
import { createDiskStorage } from './storage/disk.ts';
import { tempRoot } from './storage/disk.test-fixtures.ts';
import { spyFs } from './storage/fs-spy.test-fixtures.ts';

test('an index PUT checks that its children exist without reading them (disk), and names a missing one', async (t) => {
  const root = await tempRoot(t);
  const storage = await createDiskStorage(root, { fsync: false });
  const reg = await listen({ storage });
  t.after(() => reg.close());
  const config = await pushBlob(storage, 'idx', Buffer.from('{}'));
  const children = [];
  for (const arch of ['amd64', 'arm64']) {
    const child = image(config, [await pushBlob(storage, 'idx', blob(arch, 100))], { arch });
    await storage.putManifest('idx', child);
    children.push(child);
  }
  const stranger = image(config, [], { arch: 'riscv64' });
  const put = (bytes: Buffer) =>
    fetch(`${reg.url}/v2/idx/manifests/all`, { method: 'PUT', body: bytes, headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' } });

  const fs = spyFs(t, ['readFile']);
  const ok = await put(index(children).bytes);
  assert.equal(ok.status, 201, await ok.text());
  const blobPath = (hex: string) => join(root, 'blobs', 'sha256', hex.slice(0, 2), hex);
  for (const child of children) assert.equal(fs.count('readFile', blobPath(child.digest.hex)), 0, 'a child manifest was read');

  const missing = await put(index([children[0]!, stranger]).bytes);
  assert.equal(missing.status, 400);
  assert.deepEqual(await missing.json(), {
    errors: [
      {
        code: 'MANIFEST_BLOB_UNKNOWN',
        message: `manifests[1] ${stranger.digest} is not in repository idx`,
        detail: { digest: stranger.digest.toString() },
      },
    ],
  });
});
