import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as authn from './index.ts';
import * as kubernetes from './kubernetes.ts';

test('the public face has the contract and every keychain, but not the Kubernetes one', () => {
  for (const name of ['Anonymous', 'basic', 'bearer', 'fromConfig', 'defaultKeychain', 'multiKeychain', 'refreshingKeychain',
    'newKeychainFromHelper', 'githubKeychain', 'googleKeychain', 'saveCredentials', 'eraseCredentials', 'DEFAULT_AUTH_KEY']) {
    assert.ok(name in authn, name);
  }
  assert.ok(!('newKubernetesKeychain' in authn) && !('newKeychainFromPullSecrets' in authn));
  for (const name of ['newKubernetesKeychain', 'newInClusterKeychain', 'newKubeconfigKeychain', 'newKeychainFromPullSecrets', 'k8sChain', 'NO_SERVICE_ACCOUNT']) {
    assert.ok(name in kubernetes, name);
  }
});
