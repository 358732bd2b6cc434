/**
 * @module The v1 layer JSON of a legacy `docker save` archive (ggcr's `legacy.LayerConfigFile`,
 * after moby's image/spec/v1.md): an image config plus the v1 layer's id, parent and build
 * facts, written with Go's JSON rules so the bytes match ggcr's.
 */
import type { Config, ConfigFile } from '../v1/config.ts';
import {
  configFileType,
  containerConfigType,
  field,
  goBoolType,
  goStringType,
  marshalWithSchema,
  omitEmpty,
  struct,
  type GoStruct,
} from '../internal/gojson/index.ts';

/**
 * The `json` file beside each `layer.tar` in a v1 archive: ggcr's `LayerConfigFile`, which embeds
 * `v1.ConfigFile` and adds the fields below.
 */
export interface LayerConfigFile extends ConfigFile {
  /** What the layer was built with: `Cmd` is the history entry's `created_by`. */
  readonly container_config?: Config;
  /** The v1 layer ID (64 hex digits). */
  readonly id?: string;
  /** The v1 ID of the layer below; absent for the base layer. */
  readonly parent?: string;
  /** The history entry's `empty_layer`. */
  readonly throwaway?: boolean;
  /** The history entry's `comment`. */
  readonly comment?: string;
}

/**
 * `legacy.LayerConfigFile`: the embedded `v1.ConfigFile`'s fields first (Go flattens an embedded
 * struct in place), then its own. `container_config` is a struct, so its `omitempty` never
 * drops it.
 */
export const layerConfigFileType: GoStruct = struct('legacy.LayerConfigFile', [
  ...configFileType.fields,
  field('container_config', containerConfigType),
  omitEmpty('id', goStringType),
  omitEmpty('parent', goStringType),
  omitEmpty('throwaway', goBoolType),
  omitEmpty('comment', goStringType),
]);

/**
 * The bytes of a v1 layer JSON as ggcr's `json.Marshal(LayerConfigFile)` writes them.
 *
 * @example
 * marshalLayerConfigFile(cfg).toString(); // '{"architecture":"","created":"…","os":"",…}'
 */
export function marshalLayerConfigFile(cfg: LayerConfigFile): Buffer {
  return marshalWithSchema(cfg, layerConfigFileType);
}
