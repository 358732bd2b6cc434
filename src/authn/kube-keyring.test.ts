import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Anonymous, type Keychain, type Resource } from './authenticator.ts';
import { keyringKey, newKeychainFromPullSecrets, urlsMatch, type KubernetesSecret } from './kube-keyring.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const dockerconfigjson = (auths: Record<string, unknown>, name = 's'): KubernetesSecret => ({
  metadata: { name, namespace: 'ns' },
  type: 'kubernetes.io/dockerconfigjson',
  data: { '.dockerconfigjson': b64(JSON.stringify({ auths })) },
});
const user = async (kc: Keychain, resource: Resource) => {
  const auth = await kc.resolve(resource);
  return auth === Anonymous ? undefined : (await auth.authorization()).username;
};

test("kubelet's URL matching: globs per label, same label count, same port, path prefix", () => {
  const cases: [string, string, boolean][] = [
    ['*.kubernetes.io', 'prefix.kubernetes.io', true],
    ['prefix.*.io', 'prefix.kubernetes.io', true],
    ['prefix.kubernetes.*', 'prefix.kubernetes.io', true],
    ['*-good.kubernetes.io', 'prefix-good.kubernetes.io', true],
    ['*.kubernetes.io', 'kubernetes.io', false],
    ['*.kubernetes.io', 'a.b.kubernetes.io', false],
    ['*.*.kubernetes.io', 'a.b.kubernetes.io', true],
    ['kubernetes.io', 'kubernetes.io:5000', false],
    ['kubernetes.io:5000', 'kubernetes.io:5000/path', true],
    ['kubernetes.io:5000', 'kubernetes.io:5001', false],
    ['kubernetes.io/foo', 'kubernetes.io/foo/bar', true],
    ['kubernetes.io/foo', 'kubernetes.io/bar', false],
    ['kubernetes.io/foo', 'kubernetes.io/foobar', true],
    ['k?s.io', 'k8s.io', true],
    ['gcr.io', 'gcr.io/project/image', true],
  ];
  for (const [glob, target, want] of cases) assert.equal(urlsMatch(glob, target), want, `${glob} vs ${target}`);
});

test('keys lose their scheme and /v1/ or /v2/; Docker Hub names fold into index.docker.io', () => {
  assert.equal(keyringKey('https://index.docker.io/v1/'), 'index.docker.io');
  assert.equal(keyringKey('http://r.example:5000/v2/team'), 'r.example:5000/team');
  assert.equal(keyringKey('r.example/'), 'r.example');
  assert.equal(keyringKey('docker.io'), 'index.docker.io');
  assert.equal(keyringKey('*.gcr.io/proj'), '*.gcr.io/proj');
});

test('the most specific key wins, a named host before a glob', async () => {
  const kc = newKeychainFromPullSecrets([
    dockerconfigjson({
      'gcr.io': { auth: b64('host:1') },
      'gcr.io/team': { auth: b64('team:2') },
      'gcr.io/team/app': { auth: b64('app:3') },
      '*.gcr.io': { auth: b64('glob:4') },
      'us.gcr.io': { auth: b64('us:5') },
    }),
  ]);
  assert.equal(await user(kc, { registry: 'gcr.io', repository: 'team/app' }), 'app');
  assert.equal(await user(kc, { registry: 'gcr.io', repository: 'team/web' }), 'team');
  assert.equal(await user(kc, { registry: 'gcr.io', repository: 'other/x' }), 'host');
  assert.equal(await user(kc, { registry: 'us.gcr.io', repository: 'p/x' }), 'us');
  assert.equal(await user(kc, { registry: 'eu.gcr.io', repository: 'p/x' }), 'glob');
  assert.equal(await user(kc, { registry: 'quay.io', repository: 'p/x' }), undefined);
});

test('both secret types are read; other types and empty secrets are skipped', async () => {
  const kc = newKeychainFromPullSecrets([
    { type: 'Opaque', data: { '.dockerconfigjson': b64('not even json') } },
    { type: 'kubernetes.io/dockerconfigjson', data: {} },
    {
      type: 'kubernetes.io/dockercfg',
      data: { '.dockercfg': b64(JSON.stringify({ 'https://index.docker.io/v1/': { username: 'hub', password: 'p' } })) },
    },
    { type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': JSON.stringify({ auths: { 'q.example': { auth: b64('q:p') } } }) } },
  ]);
  assert.equal(await user(kc, { registry: 'index.docker.io', repository: 'library/ubuntu' }), 'hub');
  assert.equal(await user(kc, { registry: 'q.example', repository: 'a' }), 'q');
});

test('when two secrets name the same registry, the first secret wins', async () => {
  const kc = newKeychainFromPullSecrets([
    dockerconfigjson({ 'r.example': { auth: b64('first:1') } }, 'a'),
    dockerconfigjson({ 'r.example': { auth: b64('second:2') } }, 'b'),
  ]);
  assert.equal(await user(kc, { registry: 'r.example', repository: 'x' }), 'first');
});

test('a malformed secret is refused, naming it', () => {
  assert.throws(
    () => newKeychainFromPullSecrets([{ metadata: { name: 'bad', namespace: 'ns' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{') } }]),
    /data\["\.dockerconfigjson"\]: is not valid JSON in secret ns\/bad/,
  );
  assert.throws(() => newKeychainFromPullSecrets([dockerconfigjson({ 'r.example': { auth: 'x' } }, 'bad2')]), /auths\["r\.example"\]\.auth: is not base64 in secret ns\/bad2/);
});
