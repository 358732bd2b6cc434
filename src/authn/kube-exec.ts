/**
 * @module kubeconfig `exec` credential plugins (`aws eks get-token`, `gke-gcloud-auth-plugin`,
 * `kubelogin`): run non-interactively with `KUBERNETES_EXEC_INFO`, read the `ExecCredential` they
 * print (client-go's `plugin/pkg/client/auth/exec`).
 */
import { isAbsolute, join, sep } from 'node:path';
import { CredentialsError } from '../errors/index.ts';
import { isObject } from './auth-entry.ts';
import { DEFAULT_HELPER_TIMEOUT_MS } from './cred-helper.ts';
import type { Environment } from './environment.ts';
import type { KubeConnection, KubeExecConfig } from './kube-connection.ts';
import { runProgram } from './run-program.ts';

/** What a plugin gives: a bearer token, or a client certificate and key. */
export interface ExecCredential {
  readonly token?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
}

/**
 * Runs the plugin and returns its credential. Rejects with `CredentialsError` when it fails,
 * prints no `ExecCredential`, or gives neither a token nor a certificate and key.
 */
export async function runExecPlugin(
  exec: KubeExecConfig,
  connection: KubeConnection,
  options: { env: Environment; timeoutMs?: number | undefined; signal?: AbortSignal | undefined },
): Promise<ExecCredential> {
  // client-go resolves a command with a path separator against the kubeconfig's directory.
  const command = exec.command.includes(sep) && !isAbsolute(exec.command) ? join(exec.baseDir, exec.command) : exec.command;
  const cluster = exec.provideClusterInfo
    ? {
        server: connection.server,
        ...(connection.ca !== undefined && { 'certificate-authority-data': Buffer.from(connection.ca).toString('base64') }),
        ...(connection.insecureSkipTLSVerify && { 'insecure-skip-tls-verify': true }),
      }
    : undefined;
  const info = { apiVersion: exec.apiVersion, kind: 'ExecCredential', spec: { interactive: false, ...(cluster && { cluster }) } };
  const env: Record<string, string | undefined> = { ...options.env };
  for (const { name, value } of exec.env) env[name] = value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify(info);
  const what = `kubeconfig exec plugin ${JSON.stringify(exec.command)}`;
  const r = await runProgram(command, exec.args, {
    what,
    env,
    timeoutMs: options.timeoutMs ?? DEFAULT_HELPER_TIMEOUT_MS,
    signal: options.signal,
  });
  if (r.code !== 0) {
    const said = r.stderr.trim().split('\n').pop() ?? '';
    throw new CredentialsError(`${what} failed (exit status ${r.code})${said ? `: ${said}` : ''}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new CredentialsError(`${what} printed no ExecCredential JSON`);
  }
  const status = isObject(doc) && isObject(doc.status) ? doc.status : {};
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const token = text(status.token);
  const cert = text(status.clientCertificateData);
  const key = text(status.clientKeyData);
  if (token === undefined && (cert === undefined || key === undefined)) {
    throw new CredentialsError(`${what} gave neither a token nor a client certificate and key`);
  }
  return { token, cert, key };
}
