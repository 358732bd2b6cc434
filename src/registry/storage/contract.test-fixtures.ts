/**
 * @module Fixtures for the storage contract tests: byte sources that behave like request bodies
 * (chunked, slow, failing), blob pushes, and manifests built around pushed blobs.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { OCIConfigJSON, OCILayer, OCIManifestSchema1 } from '../../types/index.ts';
import { Hash } from '../../v1/hash.ts';
import type { BlobInfo, RegistryStorage, StoredManifest } from './types.ts';

/** `text` repeated `times` times, as bytes. */
export function blob(text: string, times = 1): Buffer {
  return Buffer.from(text.repeat(times));
}

/** A body that yields `data` in pieces of `size` bytes. */
export function chunks(data: Buffer, size = 65536): Readable {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) pieces.push(data.subarray(i, i + size));
  return Readable.from(pieces, { objectMode: false });
}

/** A body that yields `parts`, each after `delayMs`. */
export function slowly(parts: readonly Buffer[], delayMs: number): Readable {
  return Readable.from(
    (async function* () {
      for (const p of parts) {
        await sleep(delayMs);
        yield p;
      }
    })(),
    { objectMode: false },
  );
}

/** A body that yields `data` in 1000-byte pieces, then fails with `err` (a dropped connection). */
export function failingAfter(data: Buffer, err: Error): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset < data.length) {
        this.push(data.subarray(offset, offset + 1000));
        offset += 1000;
      } else {
        this.destroy(err);
      }
    },
  });
}

/** Reads a blob stream whole (asserting there is one). */
export async function readAll(stream: Readable | undefined): Promise<Buffer> {
  assert.ok(stream, 'expected a blob stream, got undefined');
  const parts: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts);
}

/** Uploads `data` to `repository` in one chunk. */
export async function pushBlob(s: RegistryStorage, repository: string, data: Buffer): Promise<BlobInfo> {
  const up = await s.createUpload(repository);
  await s.appendUpload(repository, up.id, chunks(data));
  return s.completeUpload(repository, up.id, Hash.of(data));
}

/** An OCI image manifest naming `config` and `layers`, with `extra` fields and an optional subject. */
export function image(config: BlobInfo, layers: readonly BlobInfo[], extra: object = {}, subject?: StoredManifest): StoredManifest {
  const doc = {
    schemaVersion: 2,
    mediaType: OCIManifestSchema1,
    config: { mediaType: OCIConfigJSON, size: config.size, digest: config.digest.toString() },
    layers: layers.map((l) => ({ mediaType: OCILayer, size: l.size, digest: l.digest.toString() })),
    ...(subject ? { subject: { mediaType: subject.mediaType, size: subject.bytes.length, digest: subject.digest.toString() } } : {}),
    ...extra,
  };
  const bytes = Buffer.from(JSON.stringify(doc));
  return { bytes, mediaType: OCIManifestSchema1, digest: Hash.of(bytes) };
}

/** An OCI image index listing `children`. */
export function index(children: readonly StoredManifest[], extra: object = {}): StoredManifest {
  const doc = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: children.map((c) => ({ mediaType: c.mediaType, size: c.bytes.length, digest: c.digest.toString() })),
    ...extra,
  };
  const bytes = Buffer.from(JSON.stringify(doc));
  return { bytes, mediaType: 'application/vnd.oci.image.index.v1+json', digest: Hash.of(bytes) };
}
