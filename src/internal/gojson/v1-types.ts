/**
 * @module ggcr's `pkg/v1` structs described for the Go JSON writer: field order and `omitempty`
 * exactly as their Go tags have them, since those decide the bytes and so the digests.
 *
 * Source: go-containerregistry `pkg/v1/manifest.go`, `config.go`, `platform.go` (2026). The
 * `artifactType` fields of `Descriptor`, `Manifest` and `IndexManifest` come last in each struct.
 */
import {
  field,
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
  type GoStruct,
} from './go-type.ts';

const strings = sliceOf(goStringType);
const stringMap = mapOf(goStringType);

/** `v1.Platform` */
export const platformType: GoStruct = struct('v1.Platform', [
  field('architecture', goStringType),
  field('os', goStringType),
  omitEmpty('os.version', goStringType),
  omitEmpty('os.features', strings),
  omitEmpty('variant', goStringType),
  omitEmpty('features', strings),
]);

/** `v1.Descriptor` */
export const descriptorType: GoStruct = struct('v1.Descriptor', [
  field('mediaType', goStringType),
  field('size', goIntType),
  field('digest', goHashType),
  omitEmpty('data', goBytesType),
  omitEmpty('urls', strings),
  omitEmpty('annotations', stringMap),
  omitEmpty('platform', pointerTo(platformType)),
  omitEmpty('artifactType', goStringType),
]);

/** `v1.Manifest`: `layers` has no `omitempty`, so a nil list is written `null`. */
export const manifestType: GoStruct = struct('v1.Manifest', [
  field('schemaVersion', goIntType),
  omitEmpty('mediaType', goStringType),
  field('config', descriptorType),
  field('layers', sliceOf(descriptorType)),
  omitEmpty('annotations', stringMap),
  omitEmpty('subject', pointerTo(descriptorType)),
  omitEmpty('artifactType', goStringType),
]);

/** `v1.IndexManifest`: `manifests` has no `omitempty`, so a nil list is written `null`. */
export const indexManifestType: GoStruct = struct('v1.IndexManifest', [
  field('schemaVersion', goIntType),
  omitEmpty('mediaType', goStringType),
  field('manifests', sliceOf(descriptorType)),
  omitEmpty('annotations', stringMap),
  omitEmpty('subject', pointerTo(descriptorType)),
  omitEmpty('artifactType', goStringType),
]);

/** `v1.HealthConfig`: durations are integer nanoseconds. */
export const healthConfigType: GoStruct = struct('v1.HealthConfig', [
  omitEmpty('Test', strings),
  omitEmpty('Interval', goIntType),
  omitEmpty('Timeout', goIntType),
  omitEmpty('StartPeriod', goIntType),
  omitEmpty('StartInterval', goIntType),
  omitEmpty('Retries', goIntType),
]);

/** `v1.Config`, the container configuration (Docker-cased keys). */
export const containerConfigType: GoStruct = struct('v1.Config', [
  omitEmpty('AttachStderr', goBoolType),
  omitEmpty('AttachStdin', goBoolType),
  omitEmpty('AttachStdout', goBoolType),
  omitEmpty('Cmd', strings),
  omitEmpty('Healthcheck', pointerTo(healthConfigType)),
  omitEmpty('Domainname', goStringType),
  omitEmpty('Entrypoint', strings),
  omitEmpty('Env', strings),
  omitEmpty('Hostname', goStringType),
  omitEmpty('Image', goStringType),
  omitEmpty('Labels', stringMap),
  omitEmpty('OnBuild', strings),
  omitEmpty('OpenStdin', goBoolType),
  omitEmpty('StdinOnce', goBoolType),
  omitEmpty('Tty', goBoolType),
  omitEmpty('User', goStringType),
  omitEmpty('Volumes', goSetType),
  omitEmpty('WorkingDir', goStringType),
  omitEmpty('ExposedPorts', goSetType),
  omitEmpty('ArgsEscaped', goBoolType),
  omitEmpty('NetworkDisabled', goBoolType),
  omitEmpty('MacAddress', goStringType),
  omitEmpty('StopSignal', goStringType),
  omitEmpty('Shell', strings),
]);

/** `v1.History`: `created` is a struct, so it is always written (the zero time when unset). */
export const historyType: GoStruct = struct('v1.History', [
  omitEmpty('author', goStringType),
  omitEmpty('created', goTimeType),
  omitEmpty('created_by', goStringType),
  omitEmpty('comment', goStringType),
  omitEmpty('empty_layer', goBoolType),
]);

/** `v1.RootFS`: `diff_ids` has no `omitempty`, so a nil list is written `null`. */
export const rootFSType: GoStruct = struct('v1.RootFS', [
  field('type', goStringType),
  field('diff_ids', sliceOf(goHashType)),
]);

/** `v1.ConfigFile`: `created`, `rootfs` and `config` are structs and always written. */
export const configFileType: GoStruct = struct('v1.ConfigFile', [
  field('architecture', goStringType),
  omitEmpty('author', goStringType),
  omitEmpty('container', goStringType),
  omitEmpty('created', goTimeType),
  omitEmpty('docker_version', goStringType),
  omitEmpty('history', sliceOf(historyType)),
  field('os', goStringType),
  field('rootfs', rootFSType),
  field('config', containerConfigType),
  omitEmpty('os.version', goStringType),
  omitEmpty('variant', goStringType),
  omitEmpty('os.features', strings),
]);
