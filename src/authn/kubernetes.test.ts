import assert from 'node:assert/strict';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { writeScript } from '../../test/harness/fake-credential-helper.ts';
import { makeTempDir, removeTempDir } from '../../test/harness/temp-dir.ts';
import { hasCode } from '../errors/index.ts';
import { createSelfSignedCertificate } from '../registry/auth/x509.ts';
import { Anonymous, type Keychain, type Resource } from './authenticator.ts';
import { NO_SERVICE_ACCOUNT, newInClusterKeychain, newKubeconfigKeychain } from './kubernetes.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const dockerconfigjson = (host: string, user: string) => ({
  type: 'kubernetes.io/dockerconfigjson',
  data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { [host]: { auth: b64(`${user}:pw`) } } })) },
});

/** A fake API server's objects, by path; every request is recorded with its Authorization. */
function apiHandler(objects: Record<string, unknown>, seen: { path: string; auth: string }[], token: string) {
  return (req: IncomingMessage, res: ServerResponse) => {
    seen.push({ path: req.url ?? '', auth: req.headers.authorization ?? '' });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${token}` && !(req.socket as { authorized?: boolean }).authorized) {
      send(401, { kind: 'Status', message: 'Unauthorized' });
      return;
    }
    const obj = objects[req.url ?? ''];
    if (obj === 'forbidden') send(403, { kind: 'Status', message: 'secrets "x" is forbidden: no access' });
    else if (obj === undefined) send(404, { kind: 'Status', message: 'not found', reason: 'NotFound' });
    else send(200, obj);
  };
}

const teamObjects = {
  '/api/v1/namespaces/team/serviceaccounts/default': {
    imagePullSecrets: [{ name: 'pull' }, { name: 'gone' }],
    secrets: [{ name: 'mounted' }],
  },
  '/api/v1/namespaces/team/secrets/pull': dockerconfigjson('r.example', 'pulluser'),
  '/api/v1/namespaces/team/secrets/mounted': {
    type: 'kubernetes.io/dockercfg',
    data: { '.dockercfg': b64(JSON.stringify({ 'm.example': { auth: b64('mountuser:pw') } })) },
  },
  '/api/v1/namespaces/team/secrets/explicit': dockerconfigjson('r.example', 'explicituser'),
  '/api/v1/namespaces/team/secrets/denied': 'forbidden',
};

async function user(kc: Keychain, resource: Resource): Promise<string | undefined> {
  const auth = await kc.resolve(resource);
  return auth === Anonymous ? undefined : (await auth.authorization()).username;
}

let dir: string;
let stop: (() => Promise<void>)[] = [];
before(async () => {
  dir = await makeTempDir('kubernetes');
});
after(async () => {
  for (const s of stop) await s();
  stop = [];
  await removeTempDir(dir);
});

async function listen(server: ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stop.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

test('in cluster: HTTPS with the mounted CA and token, the pod namespace, missing secrets warned and skipped', async () => {
  const tls = await createSelfSignedCertificate({ commonName: 'kube-apiserver', ipAddresses: ['127.0.0.1'] });
  const seen: { path: string; auth: string }[] = [];
  const port = await listen(
    createHttpsServer({ key: tls.keyPem, cert: tls.certPem }, apiHandler(teamObjects, seen, 'sa-token')) as unknown as ReturnType<
      typeof createHttpServer
    >,
  );
  const sa = join(dir, 'serviceaccount');
  await mkdir(sa, { recursive: true });
  await writeFile(join(sa, 'token'), 'sa-token\n');
  await writeFile(join(sa, 'ca.crt'), tls.certPem);
  await writeFile(join(sa, 'namespace'), 'team');
  const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(port) };
  const warnings: string[] = [];

  const kc = await newInClusterKeychain({ env, serviceAccountDir: sa, onWarning: (m) => warnings.push(m) });
  assert.equal(await user(kc, { registry: 'r.example', repository: 'app' }), 'pulluser');
  assert.equal(await user(kc, { registry: 'm.example', repository: 'app' }), undefined, 'mount secrets only when asked');
  assert.deepEqual(warnings, ['secret team/gone not found; ignoring']);
  assert.deepEqual(
    seen.map((s) => s.path),
    [
      '/api/v1/namespaces/team/serviceaccounts/default',
      '/api/v1/namespaces/team/secrets/pull',
      '/api/v1/namespaces/team/secrets/gone',
    ],
  );
  assert.ok(seen.every((s) => s.auth === 'Bearer sa-token'));

  const withMounts = await newInClusterKeychain({
    env,
    serviceAccountDir: sa,
    imagePullSecrets: ['explicit'],
    useMountSecrets: true,
    onWarning: () => {},
  });
  assert.equal(await user(withMounts, { registry: 'r.example', repository: 'app' }), 'explicituser', 'explicit secrets come first');
  assert.equal(await user(withMounts, { registry: 'm.example', repository: 'app' }), 'mountuser');

  await assert.rejects(
    newInClusterKeychain({ env, serviceAccountDir: sa, imagePullSecrets: ['denied'] }),
    (err: Error) => hasCode(err, 'ERR_CREDENTIALS') && /answered 403: secrets "x" is forbidden/.test(err.message),
  );
  // A server certificate not signed by the mounted CA is refused.
  const other = await createSelfSignedCertificate({ commonName: 'impostor' });
  const badSa = join(dir, 'bad-sa');
  await mkdir(badSa, { recursive: true });
  await writeFile(join(badSa, 'token'), 'sa-token');
  await writeFile(join(badSa, 'ca.crt'), other.certPem);
  await assert.rejects(newInClusterKeychain({ env, serviceAccountDir: badSa }), /Kubernetes API GET .* failed/);
  await assert.rejects(newInClusterKeychain({ env: {}, serviceAccountDir: sa }), /not running in a Kubernetes cluster/);
});

test('kubeconfig: an exec plugin supplies the token; NO_SERVICE_ACCOUNT skips the account', async () => {
  const seen: { path: string; auth: string }[] = [];
  const objects = {
    '/prefix/api/v1/namespaces/ctx-ns/secrets/explicit': dockerconfigjson('*.example.com', 'globuser'),
    '/prefix/api/v1/namespaces/ctx-ns/serviceaccounts/default': { imagePullSecrets: [] },
  };
  const port = await listen(createHttpServer(apiHandler(objects, seen, 'exec-token')));
  const bin = join(dir, 'kc-bin');
  await writeScript(
    bin,
    'token-plugin',
    `const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
process.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential', status: { token: process.env.PLUGIN_TOKEN + (info.spec.interactive ? '-interactive' : '') } }));`,
  );
  const kubeconfig = join(dir, 'kc', 'config');
  await mkdir(join(dir, 'kc'), { recursive: true });
  await writeFile(
    kubeconfig,
    `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: local
  cluster:
    server: http://127.0.0.1:${port}/prefix
contexts:
- name: dev
  context:
    cluster: local
    user: plugin
    namespace: ctx-ns
users:
- name: plugin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ../kc-bin/token-plugin
      env:
      - name: PLUGIN_TOKEN
        value: exec-token
`,
  );
  const kc = await newKubeconfigKeychain({
    kubeconfig,
    env: {},
    serviceAccountName: NO_SERVICE_ACCOUNT,
    imagePullSecrets: ['explicit'],
  });
  assert.equal(await user(kc, { registry: 'a.example.com', repository: 'x' }), 'globuser');
  assert.equal(await user(kc, { registry: 'a.b.example.com', repository: 'x' }), undefined);
  assert.deepEqual(seen, [{ path: '/prefix/api/v1/namespaces/ctx-ns/secrets/explicit', auth: 'Bearer exec-token' }]);
});

test('kubeconfig: client certificates (mutual TLS) and a CA file relative to the kubeconfig', async () => {
  const serverTls = await createSelfSignedCertificate({ commonName: 'api', ipAddresses: ['127.0.0.1'] });
  const clientTls = await createSelfSignedCertificate({ commonName: 'kubernetes-admin' });
  const seen: { path: string; auth: string }[] = [];
  const port = await listen(
    createHttpsServer(
      { key: serverTls.keyPem, cert: serverTls.certPem, ca: clientTls.certPem, requestCert: true, rejectUnauthorized: true },
      apiHandler({ '/api/v1/namespaces/default/serviceaccounts/builder': { imagePullSecrets: [{ name: 'pull' }] }, '/api/v1/namespaces/default/secrets/pull': dockerconfigjson('r.example', 'mtls') }, seen, 'unused'),
    ) as unknown as ReturnType<typeof createHttpServer>,
  );
  await mkdir(join(dir, 'mtls'), { recursive: true });
  await writeFile(join(dir, 'mtls', 'ca.crt'), serverTls.certPem);
  const kubeconfig = join(dir, 'mtls', 'config.json');
  await writeFile(
    kubeconfig,
    JSON.stringify({
      'current-context': 'admin',
      clusters: [{ name: 'c', cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority': 'ca.crt' } }],
      contexts: [{ name: 'admin', context: { cluster: 'c', user: 'admin' } }],
      users: [{ name: 'admin', user: { 'client-certificate-data': b64(clientTls.certPem), 'client-key-data': b64(clientTls.keyPem) } }],
    }),
  );
  const kc = await newKubeconfigKeychain({ kubeconfig, env: {}, serviceAccountName: 'builder' });
  assert.equal(await user(kc, { registry: 'r.example', repository: 'x' }), 'mtls');
  assert.equal(seen.length, 2);
});
