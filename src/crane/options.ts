/**
 * @module The options of the high-level verbs (ggcr's `crane.Option`s): the remote options plus
 * crane's own, with the keychain defaulting to the user's Docker/podman credentials.
 */
import type { RemoteOptions } from '../remote/options.ts';

export interface CraneOptions extends RemoteOptions {
  /** Platforms to pick out of an index (copy keeps only these; one platform means that image). */
  readonly platforms?: readonly import('../v1/platform.ts').Platform[];
}

/** The remote options for a crane call: the default keychain unless `auth`/`keychain` is given. */
export async function remoteOptions(options: CraneOptions): Promise<CraneOptions> {
  if (options.auth || options.keychain) return options;
  const { defaultKeychain } = await import('../authn/index.ts');
  return { ...options, keychain: defaultKeychain };
}
