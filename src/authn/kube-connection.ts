/**
 * @module How to reach a Kubernetes API server and who to be there: the connection a kubeconfig
 * or the in-cluster service account gives (`/var/run/secrets/kubernetes.io/serviceaccount`,
 * `KUBERNETES_SERVICE_HOST`/`_PORT`, as client-go's `rest.InClusterConfig`).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CredentialsError } from '../errors/index.ts';
import { envValue, resolveEnvironment, type EnvironmentOptions } from './environment.ts';

/** Where a pod's service account credentials are mounted. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A kubeconfig `exec` credential plugin (client.authentication.k8s.io `ExecConfig`). */
export interface KubeExecConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly apiVersion: string;
  readonly provideClusterInfo: boolean;
  /** The directory of the kubeconfig that named the plugin; a relative `command` path is resolved there. */
  readonly baseDir: string;
}

/** An API server and the credentials to present to it. */
export interface KubeConnection {
  /** `https://host:port`, possibly with a path prefix (proxies such as Rancher's). */
  readonly server: string;
  /** PEM bundle to verify the server with; the system's CAs when absent. */
  readonly ca?: string | undefined;
  readonly insecureSkipTLSVerify?: boolean | undefined;
  /** The name to verify the server's certificate against, when not the host of `server`. */
  readonly tlsServerName?: string | undefined;
  /** PEM client certificate and key (kind, minikube, k3s users). */
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly token?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly exec?: KubeExecConfig | undefined;
  /** The namespace the context (or the pod) is in, used when none is asked for. */
  readonly namespace?: string | undefined;
}

/** Options for {@link inClusterConnection}. */
export interface InClusterOptions extends EnvironmentOptions {
  /** Where the service account files are; default {@link SERVICE_ACCOUNT_DIR}. */
  serviceAccountDir?: string | undefined;
}

/**
 * The connection of a pod's own service account: the API server from
 * `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT`, the mounted token, CA bundle and
 * namespace. Rejects with `CredentialsError` outside a cluster.
 */
export async function inClusterConnection(options: InClusterOptions = {}): Promise<KubeConnection> {
  const { env } = resolveEnvironment(options);
  const host = envValue(env, 'KUBERNETES_SERVICE_HOST');
  const port = envValue(env, 'KUBERNETES_SERVICE_PORT');
  if (host === undefined || port === undefined) {
    throw new CredentialsError(
      'not running in a Kubernetes cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set',
    );
  }
  const dir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  let token: string;
  try {
    token = (await readFile(join(dir, 'token'), 'utf8')).trim();
  } catch (err) {
    throw new CredentialsError(`cannot read the service account token in ${dir}`, { cause: err });
  }
  const ca = await readFile(join(dir, 'ca.crt'), 'utf8').catch(() => undefined);
  const namespace = (await readFile(join(dir, 'namespace'), 'utf8').catch(() => '')).trim();
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { server, token, ca, ...(namespace !== '' && { namespace }) };
}
