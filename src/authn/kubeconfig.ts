/**
 * @module kubeconfig files as kubectl reads them: `$KUBECONFIG` (a list, merged: the first file
 * to name a cluster, user or context wins, and the first `current-context`), else
 * `~/.kube/config`; the chosen context's cluster and user become a connection.
 */
import { readFile } from 'node:fs/promises';
import { delimiter, dirname, join, resolve as resolvePath } from 'node:path';
import { BadDocumentError, CredentialsError } from '../errors/index.ts';
import { isObject } from './auth-entry.ts';
import { envValue, resolveEnvironment, type EnvironmentOptions } from './environment.ts';
import type { KubeConnection, KubeExecConfig } from './kube-connection.ts';
import { parseKubeconfigText } from './kube-yaml.ts';

/** Options for {@link kubeconfigConnection}. */
export interface KubeconfigOptions extends EnvironmentOptions {
  /** One kubeconfig file to read instead of `$KUBECONFIG` / `~/.kube/config`. */
  kubeconfig?: string | undefined;
  /** The context to use instead of `current-context`. */
  context?: string | undefined;
}

interface Named {
  readonly value: Record<string, unknown>;
  /** The directory of the file it came from: relative paths in it are relative to that. */
  readonly dir: string;
  readonly file: string;
}

/** The kubeconfig files kubectl would read, in merge order (existing or not). */
export function kubeconfigFiles(options: KubeconfigOptions = {}): string[] {
  if (options.kubeconfig) return [options.kubeconfig];
  const { env, homedir } = resolveEnvironment(options);
  const list = envValue(env, 'KUBECONFIG');
  if (list !== undefined) return list.split(delimiter).filter((p) => p !== '');
  return [join(homedir, '.kube', 'config')];
}

/**
 * The connection of a kubeconfig context (`options.context`, else `current-context`). Rejects
 * with `CredentialsError` when no file exists or the context, cluster or user is missing, and
 * with `BadDocumentError` for a file that does not parse (JSON, or the YAML kubectl writes).
 * `auth-provider` users (removed from kubectl in 1.26) are refused; `exec` plugins are run when
 * the API is called.
 */
export async function kubeconfigConnection(options: KubeconfigOptions = {}): Promise<KubeConnection> {
  const clusters = new Map<string, Named>();
  const users = new Map<string, Named>();
  const contexts = new Map<string, Named>();
  let current: string | undefined;
  let found = 0;
  const files = kubeconfigFiles(options);
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      // kubectl skips list entries that do not exist; an explicit file must.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !options.kubeconfig) continue;
      throw new CredentialsError(`cannot read kubeconfig ${file}`, { cause: err });
    }
    found++;
    const doc = parseKubeconfigText(text, file) ?? {};
    if (!isObject(doc)) throw new BadDocumentError(`${file} must hold a mapping`);
    const dir = dirname(resolvePath(file));
    collect(doc.clusters, 'cluster', clusters, dir, file);
    collect(doc.users, 'user', users, dir, file);
    collect(doc.contexts, 'context', contexts, dir, file);
    if (current === undefined && typeof doc['current-context'] === 'string' && doc['current-context'] !== '') {
      current = doc['current-context'];
    }
  }
  if (found === 0) throw new CredentialsError(`no kubeconfig found (looked at ${files.join(', ')})`);
  const contextName = options.context ?? current;
  if (contextName === undefined) throw new CredentialsError('the kubeconfig has no current-context; pass a context');
  const context = contexts.get(contextName);
  if (!context) throw new CredentialsError(`context ${JSON.stringify(contextName)} is not in the kubeconfig`);
  const clusterName = str(context.value.cluster);
  const cluster = clusterName === undefined ? undefined : clusters.get(clusterName);
  if (!cluster) throw new CredentialsError(`cluster ${JSON.stringify(clusterName ?? '')} of context ${JSON.stringify(contextName)} is not in the kubeconfig`);
  const userName = str(context.value.user);
  const user = userName === undefined ? undefined : users.get(userName);
  if (userName !== undefined && userName !== '' && !user) {
    throw new CredentialsError(`user ${JSON.stringify(userName)} of context ${JSON.stringify(contextName)} is not in the kubeconfig`);
  }
  const server = str(cluster.value.server);
  if (!server) throw new CredentialsError(`cluster ${JSON.stringify(clusterName)} has no server`);
  const namespace = str(context.value.namespace);
  return {
    server,
    ...(await clusterTLS(cluster)),
    ...(user ? await userCredentials(user) : {}),
    ...(namespace ? { namespace } : {}),
  };
}

function collect(list: unknown, field: string, into: Map<string, Named>, dir: string, file: string): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) throw new BadDocumentError(`must be a list in ${file}`, `${field}s`);
  list.forEach((item, i) => {
    if (!isObject(item) || typeof item.name !== 'string') throw new BadDocumentError(`needs a name in ${file}`, `${field}s[${i}]`);
    const value = item[field] ?? {};
    if (!isObject(value)) throw new BadDocumentError(`must be a mapping in ${file}`, `${field}s[${i}].${field}`);
    if (!into.has(item.name)) into.set(item.name, { value, dir, file });
  });
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** `*-data` (base64) wins over the file path, as client-go has it. */
async function pem(entry: Named, dataField: string, fileField: string): Promise<string | undefined> {
  const data = str(entry.value[dataField]);
  if (data) return Buffer.from(data, 'base64').toString('utf8');
  const path = str(entry.value[fileField]);
  if (!path) return undefined;
  try {
    return await readFile(resolvePath(entry.dir, path), 'utf8');
  } catch (err) {
    throw new CredentialsError(`cannot read ${fileField} of the kubeconfig ${entry.file}`, { cause: err });
  }
}

async function clusterTLS(cluster: Named): Promise<Partial<KubeConnection>> {
  const ca = await pem(cluster, 'certificate-authority-data', 'certificate-authority');
  const insecure = cluster.value['insecure-skip-tls-verify'] === true;
  const serverName = str(cluster.value['tls-server-name']);
  return {
    ...(ca !== undefined && { ca }),
    ...(insecure && { insecureSkipTLSVerify: true }),
    ...(serverName && { tlsServerName: serverName }),
  };
}

async function userCredentials(user: Named): Promise<Partial<KubeConnection>> {
  const v = user.value;
  if (v['auth-provider'] !== undefined && v['auth-provider'] !== null) {
    throw new CredentialsError(`the kubeconfig user in ${user.file} uses an auth-provider, which is not supported; use an exec plugin`);
  }
  const cert = await pem(user, 'client-certificate-data', 'client-certificate');
  const key = await pem(user, 'client-key-data', 'client-key');
  let token = str(v.token);
  const tokenFile = str(v.tokenFile);
  if (!token && tokenFile) {
    try {
      token = (await readFile(resolvePath(user.dir, tokenFile), 'utf8')).trim();
    } catch (err) {
      throw new CredentialsError(`cannot read tokenFile of the kubeconfig ${user.file}`, { cause: err });
    }
  }
  const username = str(v.username);
  const password = str(v.password);
  const exec = execConfig(v.exec, user);
  return {
    ...(cert !== undefined && { cert }),
    ...(key !== undefined && { key }),
    ...(token && { token }),
    ...(username && { username }),
    ...(password && { password }),
    ...(exec && { exec }),
  };
}

function execConfig(value: unknown, user: Named): KubeExecConfig | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value) || typeof value.command !== 'string' || value.command === '') {
    throw new BadDocumentError(`needs a command in ${user.file}`, 'user.exec');
  }
  const args = Array.isArray(value.args) ? value.args.map((a) => String(a)) : [];
  const env = Array.isArray(value.env)
    ? value.env.filter(isObject).map((e) => ({ name: String(e.name ?? ''), value: String(e.value ?? '') }))
    : [];
  return {
    command: value.command,
    args,
    env,
    apiVersion: str(value.apiVersion) ?? 'client.authentication.k8s.io/v1beta1',
    provideClusterInfo: value.provideClusterInfo === true,
    baseDir: user.dir,
  };
}
