import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeTempDir, removeTempDir } from '../../test/harness/temp-dir.ts';
import { kubeconfigConnection, kubeconfigFiles } from './kubeconfig.ts';

let dir: string;
before(async () => {
  dir = await makeTempDir('kubeconfig');
});
after(() => removeTempDir(dir));

const b64 = (s: string) => Buffer.from(s).toString('base64');

test('KUBECONFIG is a list; without it ~/.kube/config', () => {
  assert.deepEqual(kubeconfigFiles({ env: {}, homedir: '/h' }), ['/h/.kube/config']);
  assert.deepEqual(kubeconfigFiles({ env: { KUBECONFIG: '/a::/b' }, homedir: '/h' }), ['/a', '/b']);
  assert.deepEqual(kubeconfigFiles({ kubeconfig: '/x', env: { KUBECONFIG: '/a' } }), ['/x']);
});

test('files merge as kubectl merges them: first name and first current-context win; paths are relative to their file', async () => {
  await mkdir(join(dir, 'one', 'certs'), { recursive: true });
  await mkdir(join(dir, 'two'), { recursive: true });
  await writeFile(join(dir, 'one', 'certs', 'ca.pem'), 'CA-PEM');
  await writeFile(join(dir, 'one', 'token'), 'file-token\n');
  await writeFile(
    join(dir, 'one', 'config'),
    `current-context: dev
clusters:
- name: c1
  cluster:
    server: https://one.example:6443
    certificate-authority: certs/ca.pem
    tls-server-name: kubernetes
contexts:
- name: dev
  context: {cluster: c1, user: u1, namespace: apps}
users:
- name: u1
  user:
    tokenFile: token
`.replace('context: {cluster: c1, user: u1, namespace: apps}', 'context:\n    cluster: c1\n    user: u1\n    namespace: apps'),
  );
  await writeFile(
    join(dir, 'two', 'config.json'),
    JSON.stringify({
      'current-context': 'prod',
      clusters: [
        { name: 'c1', cluster: { server: 'https://shadowed.example' } },
        { name: 'c2', cluster: { server: 'https://two.example', 'insecure-skip-tls-verify': true } },
      ],
      contexts: [{ name: 'prod', context: { cluster: 'c2', user: 'u2' } }],
      users: [{ name: 'u2', user: { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') } }],
    }),
  );
  const KUBECONFIG = [join(dir, 'missing'), join(dir, 'one', 'config'), join(dir, 'two', 'config.json')].join(':');
  assert.deepEqual(await kubeconfigConnection({ env: { KUBECONFIG } }), {
    server: 'https://one.example:6443',
    ca: 'CA-PEM',
    tlsServerName: 'kubernetes',
    token: 'file-token',
    namespace: 'apps',
  });
  assert.deepEqual(await kubeconfigConnection({ env: { KUBECONFIG }, context: 'prod' }), {
    server: 'https://two.example',
    insecureSkipTLSVerify: true,
    cert: 'CERT',
    key: 'KEY',
  });
});

test('what is missing is said plainly', async () => {
  await assert.rejects(kubeconfigConnection({ env: { KUBECONFIG: join(dir, 'nothing') } }), /no kubeconfig found/);
  const path = join(dir, 'partial.yaml');
  await writeFile(path, 'contexts:\n- name: a\n  context:\n    cluster: gone\n');
  await assert.rejects(kubeconfigConnection({ kubeconfig: path }), /no current-context/);
  await assert.rejects(kubeconfigConnection({ kubeconfig: path, context: 'b' }), /context "b" is not in the kubeconfig/);
  await assert.rejects(kubeconfigConnection({ kubeconfig: path, context: 'a' }), /cluster "gone" of context "a"/);
  const ap = join(dir, 'authprovider.yaml');
  await writeFile(ap, 'current-context: a\ncontexts:\n- name: a\n  context:\n    cluster: c\n    user: u\nclusters:\n- name: c\n  cluster:\n    server: https://x\nusers:\n- name: u\n  user:\n    auth-provider:\n      name: gcp\n');
  await assert.rejects(kubeconfigConnection({ kubeconfig: ap }), /auth-provider, which is not supported/);
});
