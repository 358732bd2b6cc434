/**
 * Benchmark fixtures: the 600 MiB, 9-layer image the registry and client issues measure with
 * (8 incompressible 64 MiB layers and one 256 MiB text layer), written as an OCI image layout
 * that skopeo reads (`oci:DIR:bench`). Made once and reused when already there.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as random from '../src/random/index.ts';
import * as types from '../src/types/index.ts';
import { Hash } from '../src/v1/hash.ts';
import { hashingStream } from '../src/internal/verify/index.ts';
import { marshalConfigFile, marshalIndexManifest, marshalManifest } from '../src/internal/gojson/index.ts';
import { uncompressedToLayer } from '../src/partial/layer.ts';
import { createTarStream } from '../src/internal/tar/index.ts';
import type { ConfigFile } from '../src/v1/config.ts';
import type { Layer } from '../src/v1/interfaces.ts';
import type { Descriptor } from '../src/v1/descriptor.ts';
import type { IndexManifest, Manifest } from '../src/v1/manifest.ts';
import { writeFileAtomic } from '../src/internal/atomic-file/index.ts';

const MIB = 1024 * 1024;

/** Deterministic English-like text: compressible like a real source or docs layer. */
function textStream(size: number): Readable {
  const words = 'the quick brown fox jumps over lazy dog registry layer manifest config digest blob tag index image push pull copy'.split(' ');
  let left = size;
  let x = 12345;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const parts: string[] = [];
      let n = 0;
      while (n < 65536) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        const w = words[x % words.length]!;
        parts.push(w);
        n += w.length + 1;
      }
      const chunk = Buffer.from(parts.join(' ')).subarray(0, Math.min(left, 65536));
      left -= chunk.length;
      this.push(chunk);
    },
  });
}

function textLayer(size: number): Layer {
  const tar = () => createTarStream([{ header: { name: 'docs/text.txt', type: 'file', mode: 0o644, size }, body: textStream(size) }]);
  let diffID: Promise<Hash> | undefined;
  return uncompressedToLayer({
    diffID: () => (diffID ??= Hash.fromStream(tar()).then((r) => r.hash)),
    uncompressed: async () => tar(),
    mediaType: async () => types.OCILayer,
  });
}

async function writeBlob(dir: string, open: () => Promise<Readable> | Readable): Promise<Descriptor & { mediaType: string }> {
  const tmp = join(dir, 'blobs', 'sha256', `.tmp-${process.pid}-${Math.random()}`);
  const meter = hashingStream('sha256');
  await pipeline(await open(), meter, createWriteStream(tmp));
  await rename(tmp, join(dir, 'blobs', 'sha256', meter.digest.hex));
  return { mediaType: '', size: meter.size, digest: meter.digest };
}

/** Writes (once) the 600 MiB 9-layer image as an OCI layout at `dir`, tag `bench`. */
export async function benchImageLayout(dir: string, options: { layerMiB?: number; textMiB?: number; layers?: number } = {}): Promise<string> {
  if (existsSync(join(dir, 'index.json'))) return dir;
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  const n = options.layers ?? 8;
  const layers: Layer[] = [];
  for (let i = 0; i < n; i++) layers.push(random.layer((options.layerMiB ?? 64) * MIB, types.OCILayer, { seed: `bench-${i}` }));
  layers.push(textLayer((options.textMiB ?? 256) * MIB));
  const descs: Descriptor[] = [];
  const diffIDs: Hash[] = [];
  for (const l of layers) {
    const d = await writeBlob(dir, () => l.compressed());
    descs.push({ ...d, mediaType: types.OCILayer });
    diffIDs.push(await l.diffID());
  }
  const config = marshalConfigFile({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIDs }, config: {} } as unknown as ConfigFile);
  const cd = await writeBlob(dir, () => Readable.from([config]));
  const manifest = marshalManifest({ schemaVersion: 2, mediaType: types.OCIManifestSchema1, config: { ...cd, mediaType: types.OCIConfigJSON }, layers: descs } as Manifest);
  const md = await writeBlob(dir, () => Readable.from([manifest]));
  const index = marshalIndexManifest({
    schemaVersion: 2,
    manifests: [{ ...md, mediaType: types.OCIManifestSchema1, annotations: { 'org.opencontainers.image.ref.name': 'bench' } }],
  } as unknown as IndexManifest);
  await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  // index.json is what marks the fixture as made (see above): it appears whole, last.
  await writeFileAtomic(join(dir, 'index.json'), Buffer.from(index));
  return dir;
}
