/**
 * @module The v1 view of an image's layers (moby image/spec/v1.md, as ggcr's legacy writer builds
 * it): a chain of IDs, each hashed from the layer's digest and its parent's ID, the top one also
 * from the raw config, and a `LayerConfigFile` per layer made from its history entry.
 */
import { createHash } from 'node:crypto';
import { BadDocumentError, InvalidArgumentError } from '../errors/index.ts';
import type { ConfigFile, History, RootFS } from '../v1/config.ts';
import type { Hash } from '../v1/hash.ts';
import { markNil } from '../v1/guard.ts';
import type { LayerConfigFile } from './config.ts';

/**
 * The v1 ID of a layer: the sha256 hex of `"<digest hex> <parent ID>"`, and for the top layer
 * `"<digest hex> <parent ID> <raw config>"` (ggcr's `v1LayerID`; the base layer's parent is the
 * empty string, which leaves a trailing space).
 *
 * @example
 * v1LayerID(digest, ''); // base layer
 */
export function v1LayerID(digest: Hash, parentID: string, rawConfig?: Uint8Array): string {
  const h = createHash('sha256').update(`${digest.hex} ${parentID}`);
  // The config goes in as bytes: decoding it to a string first would alter invalid UTF-8.
  if (rawConfig && rawConfig.length > 0) h.update(' ').update(rawConfig);
  return h.digest('hex');
}

/**
 * The history entries that go with layers: those marked `empty_layer` are dropped, and the rest
 * must be one per layer; an image with no history gets a blank entry per layer (ggcr's rules).
 */
export function layerHistory(cf: ConfigFile, layerCount: number, what: string): readonly History[] {
  const history = (cf.history ?? []).filter((h) => !h.empty_layer);
  if (history.length === 0) return Array.from({ length: layerCount }, () => ({}));
  if (history.length !== layerCount) {
    throw new BadDocumentError(
      `${what}: ${history.length} history entries are not marked empty_layer but there are ${layerCount} layers; they must match`,
      'history',
    );
  }
  return history;
}

/** An empty `rootfs`, as Go writes the zero `v1.RootFS`: `{"type":"","diff_ids":null}`. */
function zeroRootFS(): RootFS {
  return markNil({ type: '', diff_ids: [] }, ['diff_ids']);
}

/** One layer of the v1 chain: its ID and its `json` document. */
export interface V1Layer {
  readonly id: string;
  readonly config: LayerConfigFile;
}

/**
 * Builds the v1 chain for layers with compressed digests `digests` (base first). Each layer's
 * JSON carries its history entry (created, author, `created_by` as `container_config.Cmd`,
 * comment); the top layer's also carries the image's architecture, os, container, docker
 * version, creation time and `config`, and its ID covers the raw config.
 */
export function v1Layers(digests: readonly Hash[], cf: ConfigFile, rawConfig: Uint8Array, what: string): V1Layer[] {
  if (digests.length === 0) {
    // A v1 archive names an image by its top layer (in `repositories`); with none there is nothing to name.
    throw new InvalidArgumentError(`${what} has no layers; the legacy (v1) format cannot hold it`);
  }
  const history = layerHistory(cf, digests.length, what);
  const out: V1Layer[] = [];
  let parent = '';
  digests.forEach((digest, i) => {
    const h = history[i]!;
    const top = i === digests.length - 1;
    const id = v1LayerID(digest, parent, top ? rawConfig : undefined);
    const base: Record<string, unknown> = {
      architecture: '',
      os: '',
      rootfs: zeroRootFS(),
      config: {},
      author: h.author,
      created: h.created,
      container_config: { Cmd: [h.created_by ?? ''] },
      id,
      parent,
      throwaway: h.empty_layer,
      comment: h.comment,
    };
    if (top) {
      base['architecture'] = cf.architecture;
      base['container'] = cf.container;
      base['docker_version'] = cf.docker_version;
      base['os'] = cf.os;
      base['config'] = cf.config;
      base['created'] = cf.created;
    }
    out.push({ id, config: base as unknown as LayerConfigFile });
    parent = id;
  });
  return out;
}
