/**
 * @module Matching the tag a caller asks for against the names an archive records (docker
 * save's RepoTags, the OCI `ref.name` and containerd `image.name` annotations) after both are
 * normalised, so `busybox` finds `index.docker.io/library/busybox:latest` (ggcr compares
 * `Tag.Name()` the same way).
 */
import { newTag, Tag } from '../name/index.ts';
import type { Descriptor } from '../v1/descriptor.ts';

/** The OCI annotation for an image's name in a layout (image-spec annotations.md). */
export const REF_NAME = 'org.opencontainers.image.ref.name';
/** The annotation containerd (`ctr images export`, Docker ≥ 25) puts the full image name in. */
export const CONTAINERD_NAME = 'io.containerd.image.name';

/** A Tag from what the caller passed. */
export function toTag(tag: Tag | string): Tag {
  return typeof tag === 'string' ? newTag(tag) : tag;
}

/** True when the recorded name `recorded` is the same image name as `tag`; unparsable names never match. */
export function sameTag(recorded: string, tag: Tag): boolean {
  try {
    return newTag(recorded).name() === tag.name();
  } catch {
    return false;
  }
}

/**
 * True when an index.json entry is named `tag`. A `ref.name` with no `/` and no `:` is a bare
 * tag (`latest`, as `oci:dir:latest` writes it) that names no repository, so it cannot match.
 */
export function descriptorNamed(desc: Descriptor, tag: Tag): boolean {
  const containerd = desc.annotations?.[CONTAINERD_NAME];
  if (containerd !== undefined && sameTag(containerd, tag)) return true;
  const ref = desc.annotations?.[REF_NAME];
  return ref !== undefined && /[/:]/.test(ref) && sameTag(ref, tag);
}

/** The names an index.json entry carries, for listings in errors. */
export function descriptorNames(desc: Descriptor): string[] {
  const names: string[] = [];
  for (const key of [CONTAINERD_NAME, REF_NAME]) {
    const v = desc.annotations?.[key];
    if (v !== undefined && !names.includes(v)) names.push(v);
  }
  return names;
}
