/**
 * @module Credentials and keychains (ggcr's `pkg/authn`, with its GitHub and Google keychains):
 * authenticators, the default keychain over Docker's config.json and podman's auth.json,
 * credential helpers, and `crane auth login`/`logout`'s writes. The Kubernetes keychain has its
 * own entry point (`kubernetes.ts`) so that nothing here loads it.
 *
 * @example
 * import { defaultKeychain, multiKeychain, githubKeychain } from 'containerregistry/authn';
 * const auth = await multiKeychain(defaultKeychain, githubKeychain).resolve({ registry: 'ghcr.io', repository: 'org/app' });
 * const { username, password } = await auth.authorization();
 */
export {
  Anonymous,
  basic,
  bearer,
  fromConfig,
  isAnonymous,
  type AuthConfig,
  type Authenticator,
  type Keychain,
  type Resource,
} from './authenticator.ts';
export { decodeAuth, encodeAuth, parseAuthEntry } from './auth-entry.ts';
export {
  containersAuthFiles,
  containersAuthKeychain,
  containersAuthKeys,
  findContainersAuthFile,
  loadContainersAuth,
  lookupContainersAuth,
  type ContainersAuthFile,
  type ContainersAuthOptions,
} from './containers-auth.ts';
export {
  credentialHelper,
  CREDENTIALS_NOT_FOUND,
  DEFAULT_HELPER_TIMEOUT_MS,
  helperCredentialsToAuthConfig,
  TOKEN_USERNAME,
  type CredentialHelper,
  type CredentialHelperOptions,
  type CredentialStore,
  type HelperCredentials,
} from './cred-helper.ts';
export {
  dockerAuthConfigFromEnv,
  dockerConfigDir,
  dockerConfigExists,
  dockerConfigPath,
  loadDockerConfig,
  parseDockerConfig,
  type DockerConfigFile,
} from './docker-config.ts';
export {
  eraseCredentials,
  saveCredentials,
  type SaveCredentialsOptions,
  type SaveResult,
} from './docker-config-save.ts';
export {
  dockerConfigKeychain,
  getAuthConfig,
  helperFor,
  resolveInDockerConfig,
  type DockerLookupOptions,
} from './docker-keychain.ts';
export { resolveEnvironment, type Environment, type EnvironmentOptions } from './environment.ts';
export { githubKeychain, newGithubKeychain } from './github.ts';
export {
  gcloudAuthenticator,
  GOOGLE_TOKEN_USERNAME,
  googleKeychain,
  isGoogleRegistry,
  newGoogleKeychain,
  type GoogleKeychainOptions,
} from './google.ts';
export { newKeychainFromHelper, type HelperKeychainOptions } from './helper-keychain.ts';
export { defaultKeychain, newDefaultKeychain, type DefaultKeychainOptions } from './keychain.ts';
export { multiKeychain } from './multi-keychain.ts';
export { refreshingKeychain, type RefreshingKeychainOptions } from './refreshing-keychain.ts';
export {
  authKey,
  convertToHostname,
  DEFAULT_AUTH_KEY,
  isDockerHub,
  resourceKeys,
  resourceString,
} from './server-key.ts';
