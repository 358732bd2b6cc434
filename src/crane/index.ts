/**
 * @module High-level verbs (ggcr's `pkg/crane`): what the `crane` CLI does, as functions a
 * library user calls with the same result.
 *
 * @example
 * import { crane } from 'containerregistry';
 * console.log((await crane.digest('127.0.0.1:5000/app:v1')).toString());
 */
export { digest, manifest, config, blob, listTags, catalog } from './read.ts';
export { copy, ClobberError, type CopyOptions } from './copy.ts';
export { tag, deleteRef as delete, deleteRef } from './write.ts';
export { remoteOptions, type CraneOptions } from './options.ts';
export * as auth from './auth.ts';
export { token, type TokenAnswer } from './token.ts';
export {
  pull,
  push,
  load,
  save,
  multiSave,
  saveLegacy,
  multiSaveLegacy,
  saveOCI,
  multiSaveOCI,
  loadLocal,
  pullTo,
  I_WAS_A_DIGEST_TAG,
  REF_NAME_ANNOTATION,
  type PullFormat,
  type PullToOptions,
  type SaveOCIOptions,
  type LoadOptions,
} from './local.ts';
