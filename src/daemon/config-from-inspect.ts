/**
 * @module The config file of a daemon image rebuilt from `docker image inspect` and
 * `docker history`, as ggcr's `daemon.Image().ConfigFile()` does, so the config is known without
 * a `docker save`. It can differ from the raw config blob in fields the Engine does not report
 * (`container_config`, history authors, sub-second history times).
 */
import { Time } from '../v1/time.ts';
import { parseConfigFile, parseContainerConfig, type Config, type ConfigFile } from '../v1/config.ts';
import type { HistoryItem, ImageInspect } from './client.ts';

// The image-config fields of the inspected `Config`; the rest of Docker's container config
// (Hostname, Tty, AttachStdout, …) describes no image and is left out, as ggcr leaves it.
const IMAGE_CONFIG_FIELDS = [
  'Cmd',
  'Entrypoint',
  'Env',
  'Labels',
  'OnBuild',
  'User',
  'Volumes',
  'WorkingDir',
  'ArgsEscaped',
  'StopSignal',
  'Shell',
  'Healthcheck',
  'ExposedPorts',
] as const satisfies readonly (keyof Config)[];

/**
 * Builds the config file from an inspect answer and the image's history. History comes oldest
 * first, as in a config file (the Engine sends it newest first; ggcr keeps the Engine's order),
 * each entry authored by the image's author, `empty_layer` where the step added no bytes.
 */
export function configFromInspect(inspect: ImageInspect, history: readonly HistoryItem[]): ConfigFile {
  const author = inspect.Author || undefined;
  const doc: Record<string, unknown> = {
    architecture: inspect.Architecture ?? '',
    author,
    created: inspect.Created || undefined,
    docker_version: inspect.DockerVersion || undefined,
    history: [...history].reverse().map((h) => ({
      author,
      created: new Time(h.Created).toString(),
      created_by: h.CreatedBy || undefined,
      comment: h.Comment || undefined,
      empty_layer: h.Size === 0 ? true : undefined,
    })),
    os: inspect.Os ?? '',
    rootfs: { type: inspect.RootFS?.Type ?? '', diff_ids: inspect.RootFS?.Layers ?? [] },
    config: imageConfig(inspect.Config),
    'os.version': inspect.OsVersion || undefined,
    // ggcr drops the variant; it is part of the platform, so it is kept here.
    variant: inspect.Variant || undefined,
  };
  return parseConfigFile(dropUndefined(doc) as object);
}

function imageConfig(config: Config | null | undefined): Record<string, unknown> {
  if (!config) return {};
  const parsed = parseContainerConfig(config, 'image inspect.Config');
  const out: Record<string, unknown> = {};
  // ggcr copies ExposedPorts from its own empty map (its loop reads the wrong variable), so
  // its ports are always empty; the inspected ports are kept here.
  for (const k of IMAGE_CONFIG_FIELDS) if (parsed[k] !== undefined) out[k] = parsed[k];
  return out;
}

function dropUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropUndefined);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, dropUndefined(x)]));
}
