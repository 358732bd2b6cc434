/**
 * @module The image configuration (OCI image-spec config.md and Docker's image JSON): every field
 * ggcr models, parsed with paths in errors, unknown fields kept on the object.
 */
import { BadDocumentError } from '../errors/index.ts';
import type { Hash } from './hash.ts';
import type { Platform } from './platform.ts';
import { Time } from './time.ts';
import {
  assemble,
  deepFreeze,
  expectHash,
  markNil,
  expectObject,
  optArray,
  optBoolean,
  optInteger,
  optSet,
  optString,
  optStringArray,
  optStringMap,
  parseJSON,
} from './guard.ts';

/** HEALTHCHECK settings; durations are integer nanoseconds as in Go. */
export interface HealthConfig {
  readonly Test?: readonly string[];
  readonly Interval?: number;
  readonly Timeout?: number;
  readonly StartPeriod?: number;
  readonly StartInterval?: number;
  readonly Retries?: number;
}

/** The execution parameters of a container (Docker-cased keys, as in the JSON). */
export interface Config {
  readonly AttachStderr?: boolean;
  readonly AttachStdin?: boolean;
  readonly AttachStdout?: boolean;
  readonly Cmd?: readonly string[];
  readonly Healthcheck?: HealthConfig;
  readonly Domainname?: string;
  readonly Entrypoint?: readonly string[];
  readonly Env?: readonly string[];
  readonly Hostname?: string;
  readonly Image?: string;
  readonly Labels?: Readonly<Record<string, string>>;
  readonly OnBuild?: readonly string[];
  readonly OpenStdin?: boolean;
  readonly StdinOnce?: boolean;
  readonly Tty?: boolean;
  readonly User?: string;
  readonly Volumes?: Readonly<Record<string, Record<string, never>>>;
  readonly WorkingDir?: string;
  readonly ExposedPorts?: Readonly<Record<string, Record<string, never>>>;
  readonly ArgsEscaped?: boolean;
  readonly NetworkDisabled?: boolean;
  readonly MacAddress?: string;
  readonly StopSignal?: string;
  readonly Shell?: readonly string[];
}

export interface History {
  readonly author?: string;
  readonly created?: Time;
  readonly created_by?: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

export interface RootFS {
  readonly type: string;
  readonly diff_ids: readonly Hash[];
}

/**
 * The config file. Fields are ggcr's `v1.ConfigFile`; anything else in the JSON (Docker's
 * `container_config`, OCI extensions) stays on the object as read.
 */
export interface ConfigFile {
  readonly architecture: string;
  readonly author?: string;
  readonly container?: string;
  readonly created?: Time;
  /** Deprecated in ggcr; still read and written. */
  readonly docker_version?: string;
  readonly history?: readonly History[];
  readonly os: string;
  readonly rootfs: RootFS;
  readonly config: Config;
  readonly 'os.version'?: string;
  readonly variant?: string;
  readonly 'os.features'?: readonly string[];
}

function optTime(v: unknown, path: string): Time | undefined {
  if (v == null) return undefined;
  if (typeof v !== 'string') throw new BadDocumentError('expected RFC 3339 time string', path);
  return Time.parse(v, path);
}

function parseHealth(v: unknown, path: string): HealthConfig | undefined {
  if (v == null) return undefined;
  const o = expectObject(v, path);
  return assemble<HealthConfig>(o, {
    Test: optStringArray(o['Test'], `${path}.Test`),
    Interval: optInteger(o['Interval'], `${path}.Interval`),
    Timeout: optInteger(o['Timeout'], `${path}.Timeout`),
    StartPeriod: optInteger(o['StartPeriod'], `${path}.StartPeriod`),
    StartInterval: optInteger(o['StartInterval'], `${path}.StartInterval`),
    Retries: optInteger(o['Retries'], `${path}.Retries`),
  });
}

const configStrings = ['Domainname', 'Hostname', 'Image', 'User', 'WorkingDir', 'MacAddress', 'StopSignal'] as const;
const configBools = ['AttachStderr', 'AttachStdin', 'AttachStdout', 'OpenStdin', 'StdinOnce', 'Tty', 'ArgsEscaped', 'NetworkDisabled'] as const;
const configLists = ['Cmd', 'Entrypoint', 'Env', 'OnBuild', 'Shell'] as const;

/** Reads the `config` member (also used for Docker's `container_config`). */
export function parseContainerConfig(v: unknown, path: string): Config {
  if (v == null) return {};
  const o = expectObject(v, path);
  const parsed: Record<string, unknown> = {
    Healthcheck: parseHealth(o['Healthcheck'], `${path}.Healthcheck`),
    Labels: optStringMap(o['Labels'], `${path}.Labels`),
    Volumes: optSet(o['Volumes'], `${path}.Volumes`),
    ExposedPorts: optSet(o['ExposedPorts'], `${path}.ExposedPorts`),
  };
  for (const k of configStrings) parsed[k] = optString(o[k], `${path}.${k}`);
  for (const k of configBools) parsed[k] = optBoolean(o[k], `${path}.${k}`);
  for (const k of configLists) parsed[k] = optStringArray(o[k], `${path}.${k}`);
  return assemble<Config>(o, parsed);
}

function parseHistory(v: unknown, path: string): History {
  const o = expectObject(v, path);
  return assemble<History>(o, {
    author: optString(o['author'], `${path}.author`),
    created: optTime(o['created'], `${path}.created`),
    created_by: optString(o['created_by'], `${path}.created_by`),
    comment: optString(o['comment'], `${path}.comment`),
    empty_layer: optBoolean(o['empty_layer'], `${path}.empty_layer`),
  });
}

/** Parses a config blob from bytes, text or an object; the result is frozen. */
export function parseConfigFile(input: Uint8Array | string | object): ConfigFile {
  const raw = typeof input === 'string' || input instanceof Uint8Array ? parseJSON(input, 'config file') : input;
  const o = expectObject(raw, '');
  const rootfs = o['rootfs'] == null ? {} : expectObject(o['rootfs'], 'rootfs');
  return deepFreeze(
    assemble<ConfigFile>(o, {
      architecture: optString(o['architecture'], 'architecture') ?? '',
      author: optString(o['author'], 'author'),
      container: optString(o['container'], 'container'),
      created: optTime(o['created'], 'created'),
      docker_version: optString(o['docker_version'], 'docker_version'),
      history: optArray(o['history'], 'history', parseHistory),
      os: optString(o['os'], 'os') ?? '',
      rootfs: markNil(
        assemble<RootFS>(rootfs, {
          type: optString(rootfs['type'], 'rootfs.type') ?? '',
          diff_ids: optArray(rootfs['diff_ids'], 'rootfs.diff_ids', expectHash) ?? [],
        }),
        rootfs['diff_ids'] == null ? ['diff_ids'] : [],
      ),
      config: parseContainerConfig(o['config'], 'config'),
      'os.version': optString(o['os.version'], 'os.version'),
      variant: optString(o['variant'], 'variant'),
      'os.features': optStringArray(o['os.features'], 'os.features'),
    }),
  );
}

/** The platform a config describes, or undefined when it names none (ggcr `ConfigFile.Platform`). */
export function configPlatform(cf: ConfigFile): Platform | undefined {
  if (!cf.os && !cf.architecture && !cf['os.version'] && !cf.variant && !cf['os.features']?.length) return undefined;
  const p: Record<string, unknown> = { architecture: cf.architecture, os: cf.os };
  if (cf['os.version']) p['os.version'] = cf['os.version'];
  if (cf.variant) p['variant'] = cf.variant;
  if (cf['os.features']?.length) p['os.features'] = cf['os.features'];
  return p as unknown as Platform;
}
