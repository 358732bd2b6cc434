import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseKubeconfigText } from './kube-yaml.ts';

test('what kubectl writes (kind, with exec users) parses', () => {
  const text = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTg==
    server: https://127.0.0.1:6443
  name: kind-kind
contexts:
- context:
    cluster: kind-kind
    namespace: team
    user: kind-kind
  name: kind-kind
current-context: kind-kind
kind: Config
preferences: {}
users:
- name: kind-kind
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args:
      - --region
      - us-east-1
      command: aws
      env: null
      interactiveMode: IfAvailable
      provideClusterInfo: false
`;
  assert.deepEqual(parseKubeconfigText(text, 'kc'), {
    apiVersion: 'v1',
    clusters: [{ cluster: { 'certificate-authority-data': 'LS0tLS1CRUdJTg==', server: 'https://127.0.0.1:6443' }, name: 'kind-kind' }],
    contexts: [{ context: { cluster: 'kind-kind', namespace: 'team', user: 'kind-kind' }, name: 'kind-kind' }],
    'current-context': 'kind-kind',
    kind: 'Config',
    preferences: {},
    users: [
      {
        name: 'kind-kind',
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            args: ['--region', 'us-east-1'],
            command: 'aws',
            env: null,
            interactiveMode: 'IfAvailable',
            provideClusterInfo: false,
          },
        },
      },
    ],
  });
});

test('hand-written forms: indented lists, comments, quotes, flow lists, block scalars, ---', () => {
  const text = `--- # a kubeconfig
# comment line
clusters:
  - name: "quoted: name" # trailing comment
    cluster:
      server: 'https://it''s.example:443'
      insecure-skip-tls-verify: true
users:
  - name: u
    user:
      token: abc#not-a-comment
      args: ["a, b", c, 'd']
      note: |
        line one
        line two
      folded: >-
        one
        two
      escaped: "tab\\there \\u00e9"
      long: this plain value
        goes on
      port: 8443
      empty:
`;
  assert.deepEqual(parseKubeconfigText(text, 'kc'), {
    clusters: [{ name: 'quoted: name', cluster: { server: "https://it's.example:443", 'insecure-skip-tls-verify': true } }],
    users: [
      {
        name: 'u',
        user: {
          token: 'abc#not-a-comment',
          args: ['a, b', 'c', 'd'],
          note: 'line one\nline two\n',
          folded: 'one two',
          escaped: 'tab\there é',
          long: 'this plain value goes on',
          port: 8443,
          empty: null,
        },
      },
    ],
  });
});

test('JSON kubeconfigs are JSON', () => {
  assert.deepEqual(parseKubeconfigText('  {"kind": "Config", "clusters": []}', 'kc'), { kind: 'Config', clusters: [] });
});

test('what is not understood is refused with the line, never the content', () => {
  const refusals: [string, RegExp][] = [
    ['a: &anchor x\n', /kc:1: anchors, aliases and tags/],
    ['a: 1\nb: *anchor\n', /kc:2: anchors, aliases and tags/],
    ['a: !!str x\n', /kc:1: anchors/],
    ['a: {b: c}\n', /kc:1: flow mappings/],
    ['a: 1\na: 2\n', /kc:2: duplicate key "a"/],
    ['a:\n  b: 1\n c: 2\n', /kc:3: /],
    ['a: 1\n---\nb: 2\n', /kc:2: several documents/],
    ['token: "secret-value\n', /kc:1: unterminated quoted string/],
    ['a:\n\tb: 1\n', /kc:2: tabs/],
    ['? complex\n: key\n', /kc:1: /],
  ];
  for (const [text, want] of refusals) {
    assert.throws(() => parseKubeconfigText(text, 'kc'), (err: Error) => want.test(err.message) && !err.message.includes('secret-value'), text);
  }
});
