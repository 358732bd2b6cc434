/**
 * @module Go-compatible JSON: the one serializer through which every JSON document this project
 * produces goes (manifests, indexes, configs, descriptors), writing what Go's `json.Marshal`
 * writes for ggcr's types, so that what we produce has the digest Go crane's has.
 *
 * Documents read from elsewhere are never re-serialized: their bytes are kept verbatim. This is
 * for documents we make or change (`mutate`, `append`, `flatten`, `empty`, `index append`).
 *
 * Unknown fields (properties a parsed document keeps but ggcr's struct does not declare) are
 * dropped by default, as Go drops them; `{ unknownFields: 'keep' }` writes them after the known
 * ones. See `MarshalOptions`.
 */
import type { ConfigFile } from '../../v1/config.ts';
import type { Descriptor } from '../../v1/descriptor.ts';
import type { IndexManifest, Manifest } from '../../v1/manifest.ts';
import type { Platform } from '../../v1/platform.ts';
import { configFileType, descriptorType, indexManifestType, manifestType, platformType } from './v1-types.ts';
import { marshalWithSchema, type MarshalOptions } from './writer.ts';

export { goString, sortGoKeys } from './go-string.ts';
export { marshalWithSchema, type MarshalOptions } from './writer.ts';
export {
  field,
  goAnyType,
  goBoolType,
  goBytesType,
  goHashType,
  goIntType,
  goSetType,
  goStringType,
  goTimeType,
  mapOf,
  omitEmpty,
  pointerTo,
  sliceOf,
  struct,
  type GoField,
  type GoStruct,
  type GoType,
} from './go-type.ts';
export {
  configFileType,
  containerConfigType,
  descriptorType,
  healthConfigType,
  historyType,
  indexManifestType,
  manifestType,
  platformType,
  rootFSType,
} from './v1-types.ts';

/**
 * An image manifest as Go's `json.Marshal(v1.Manifest)` writes it. `layers: undefined` is Go's
 * nil slice and is written `"layers":null`; `layers: []` is written `"layers":[]`.
 *
 * @example
 * const raw = marshalManifest(m);
 * const digest = Hash.of(raw);
 */
export function marshalManifest(m: Manifest, options?: MarshalOptions): Buffer {
  return marshalWithSchema(m, manifestType, options);
}

/** An image index as Go's `json.Marshal(v1.IndexManifest)` writes it (`manifests` as `layers` above). */
export function marshalIndexManifest(m: IndexManifest, options?: MarshalOptions): Buffer {
  return marshalWithSchema(m, indexManifestType, options);
}

/**
 * A config file as Go's `json.Marshal(v1.ConfigFile)` writes it: `created` always present (Go's
 * zero time when unset), `rootfs.diff_ids: undefined` written `null`, `config` always an object.
 */
export function marshalConfigFile(cf: ConfigFile, options?: MarshalOptions): Buffer {
  return marshalWithSchema(cf, configFileType, options);
}

/** A descriptor as Go's `json.Marshal(v1.Descriptor)` writes it (`data` as standard base64). */
export function marshalDescriptor(d: Descriptor, options?: MarshalOptions): Buffer {
  return marshalWithSchema(d, descriptorType, options);
}

/** A platform as Go's `json.Marshal(v1.Platform)` writes it. */
export function marshalPlatform(p: Platform, options?: MarshalOptions): Buffer {
  return marshalWithSchema(p, platformType, options);
}
