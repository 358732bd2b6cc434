/**
 * @module Images with fixed bytes for the legacy writer's tests: uncompressed layers (so digest =
 * diffID = sha256 of the bytes, nothing codec-dependent) and raw configs with history, labels in
 * unsorted order and characters Go escapes, so the archive can be compared with Go's bytes.
 */
import { Readable } from 'node:stream';
import * as types from '../types/index.ts';
import { Hash } from '../v1/hash.ts';
import type { Image } from '../v1/interfaces.ts';
import { uncompressedToImage } from '../partial/image.ts';
import { NotFoundError } from '../errors/index.ts';

/** Layer bodies: opaque to the writer, so they need not be tars. 30000 bytes is not a block multiple. */
export const layerOne = Buffer.from('layer one\n'.repeat(100));
export const layerTwo = Buffer.from('layer two\n'.repeat(3000));
export const layerThree = Buffer.from('three'.repeat(7));

const id = (b: Buffer) => Hash.of(b).toString();

/** Two layers, three history entries (one empty), the fields the top v1 layer copies. */
export const configA = Buffer.from(
  JSON.stringify({
    architecture: 'amd64',
    author: 'me',
    container: 'abc123',
    created: '2024-01-02T03:04:05.123456789Z',
    docker_version: '20.10.24',
    history: [
      { created: '2024-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in / ', author: 'x <a&b>' },
      { created: '2024-01-01T00:00:01Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
      { created: '2024-01-02T00:00:00Z', created_by: 'RUN echo hi', comment: 'buildkit.dockerfile.v0' },
    ],
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [id(layerOne), id(layerTwo)] },
    config: { Env: ['PATH=/usr/bin'], Cmd: ['sh'], Labels: { b: '2', a: '1' } },
  }),
);

/** Shares its base layer with A; no history at all. */
export const configB = Buffer.from(
  JSON.stringify({ architecture: 'arm64', os: 'linux', rootfs: { type: 'layers', diff_ids: [id(layerOne), id(layerThree)] }, config: {} }),
);

/** An image of uncompressed layers (digest = diffID) with the given raw config. */
export function fixtureImage(rawConfig: Buffer, layers: readonly Buffer[], layerMediaType: string = types.DockerUncompressedLayer): Image {
  return uncompressedToImage({
    rawConfigFile: async () => rawConfig,
    mediaType: async () => types.DockerManifestSchema2,
    layerByDiffID: async (h) => {
      const body = layers.find((b) => Hash.of(b).equals(h));
      if (!body) throw new NotFoundError(`no layer ${h}`);
      return { diffID: async () => h, uncompressed: async () => Readable.from([body]), mediaType: async () => layerMediaType };
    },
  });
}
