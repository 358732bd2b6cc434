/**
 * @module Kubernetes image pull secrets as a keychain (ggcr's `authn/kubernetes` and
 * `authn/k8schain`): from secrets you hold, or read from the API server (in-cluster service
 * account or a kubeconfig) the way the kubelet finds them for a pod. Its own entry point, so that
 * nothing loads it (or undici) unless it is asked for.
 */
import { isObject } from './auth-entry.ts';
import type { Keychain } from './authenticator.ts';
import { googleKeychain } from './google.ts';
import { defaultKeychain } from './keychain.ts';
import { inClusterConnection, type InClusterOptions, type KubeConnection } from './kube-connection.ts';
import { kubeClient, type KubeClient, type KubeClientOptions } from './kube-api.ts';
import { newKeychainFromPullSecrets, type KubernetesSecret } from './kube-keyring.ts';
import { kubeconfigConnection, type KubeconfigOptions } from './kubeconfig.ts';
import { multiKeychain } from './multi-keychain.ts';

export {
  keyringKey,
  newKeychainFromPullSecrets,
  SECRET_TYPE_DOCKER_CONFIG_JSON,
  SECRET_TYPE_DOCKERCFG,
  urlsMatch,
  type KubernetesSecret,
} from './kube-keyring.ts';
export { inClusterConnection, SERVICE_ACCOUNT_DIR, type InClusterOptions, type KubeConnection, type KubeExecConfig } from './kube-connection.ts';
export { kubeconfigConnection, kubeconfigFiles, type KubeconfigOptions } from './kubeconfig.ts';
export { parseKubeconfigText } from './kube-yaml.ts';

/**
 * A `serviceAccountName` that means "do not look a service account up" (ggcr's
 * `NoServiceAccount`; it cannot be a real name, which has no spaces).
 */
export const NO_SERVICE_ACCOUNT = 'no service account';

/** Which secrets to gather (ggcr's `kubernetes.Options`). */
export interface KubernetesKeychainOptions extends KubeClientOptions {
  /**
   * The namespace of the service account and secrets. Default: the connection's (the kubeconfig
   * context's, or the pod's own in a cluster), else `default`. ggcr always defaults to
   * `default`; following the context is what kubectl users expect.
   */
  namespace?: string | undefined;
  /** Its image pull secrets are used; default `default`; {@link NO_SERVICE_ACCOUNT} skips it. */
  serviceAccountName?: string | undefined;
  /** Secret names to use first, as a pod's `spec.imagePullSecrets` lists them. */
  imagePullSecrets?: readonly string[] | undefined;
  /** Also use the secrets in the service account's `secrets` (mountable secrets). */
  useMountSecrets?: boolean | undefined;
  /** Told about secrets or a service account that do not exist (they are skipped). Default `process.emitWarning`. */
  onWarning?: ((message: string) => void) | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Reads the pull secrets from the API server and returns a keychain over them (ggcr's
 * `kubernetes.New`, with a connection for the client): first `imagePullSecrets`, then those of
 * the service account (`imagePullSecrets`, and its `secrets` with `useMountSecrets`). Missing
 * objects are skipped with a warning; other API errors reject with `CredentialsError`. The
 * secrets are read once; make a new keychain to see changes.
 *
 * @example
 * const kc = await newKubernetesKeychain(await inClusterConnection(), { serviceAccountName: 'builder' });
 */
export async function newKubernetesKeychain(connection: KubeConnection, options: KubernetesKeychainOptions = {}): Promise<Keychain> {
  const client = kubeClient(connection, options);
  try {
    return newKeychainFromPullSecrets(await gatherSecrets(client, connection, options));
  } finally {
    await client.close();
  }
}

/** {@link newKubernetesKeychain} with the pod's own service account connection (ggcr's `NewInCluster`). */
export async function newInClusterKeychain(options: KubernetesKeychainOptions & InClusterOptions = {}): Promise<Keychain> {
  return newKubernetesKeychain(await inClusterConnection(options), options);
}

/** {@link newKubernetesKeychain} with a kubeconfig's connection (`$KUBECONFIG`, `~/.kube/config`). */
export async function newKubeconfigKeychain(options: KubernetesKeychainOptions & KubeconfigOptions = {}): Promise<Keychain> {
  return newKubernetesKeychain(await kubeconfigConnection(options), options);
}

/**
 * ggcr's `k8schain`: the Kubernetes keychain, then the default keychain, then Google's. (ggcr
 * adds the ECR and ACR helpers compiled in; add `newKeychainFromHelper('ecr-login', { ignoreErrors: true })`
 * for those.)
 */
export function k8sChain(kubernetes: Keychain, ...more: Keychain[]): Keychain {
  return multiKeychain(kubernetes, defaultKeychain, googleKeychain, ...more);
}

async function gatherSecrets(
  client: KubeClient,
  connection: KubeConnection,
  options: KubernetesKeychainOptions,
): Promise<KubernetesSecret[]> {
  const namespace = options.namespace || connection.namespace || 'default';
  const serviceAccount = options.serviceAccountName || 'default';
  const warn = options.onWarning ?? ((m: string) => process.emitWarning(m, { code: 'CONTAINERREGISTRY_KUBERNETES' }));
  const ns = encodeURIComponent(namespace);
  const secrets: KubernetesSecret[] = [];
  const fetchSecret = async (name: string): Promise<void> => {
    const doc = await client.get(`/api/v1/namespaces/${ns}/secrets/${encodeURIComponent(name)}`, { signal: options.signal });
    if (doc === undefined) warn(`secret ${namespace}/${name} not found; ignoring`);
    else if (isObject(doc)) secrets.push(doc as KubernetesSecret);
  };
  for (const name of options.imagePullSecrets ?? []) await fetchSecret(name);
  if (serviceAccount === NO_SERVICE_ACCOUNT) return secrets;
  const sa = await client.get(`/api/v1/namespaces/${ns}/serviceaccounts/${encodeURIComponent(serviceAccount)}`, {
    signal: options.signal,
  });
  if (sa === undefined) {
    warn(`serviceaccount ${namespace}/${serviceAccount} not found; ignoring`);
    return secrets;
  }
  const names = (list: unknown): string[] =>
    Array.isArray(list) ? list.filter(isObject).map((r) => r.name).filter((n): n is string => typeof n === 'string' && n !== '') : [];
  const account = isObject(sa) ? sa : {};
  for (const name of names(account.imagePullSecrets)) await fetchSecret(name);
  if (options.useMountSecrets) for (const name of names(account.secrets)) await fetchSecret(name);
  return secrets;
}
