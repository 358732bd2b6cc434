/**
 * @module Authentication and authorization for the embedded registry: the access file, htpasswd
 * users, the Docker token issuer (JWTs signed with a self-signed certificate) and the per-request
 * authorizer the HTTP layer calls.
 */
export {
  allowedActions,
  ANONYMOUS,
  ANY_USER,
  catalogAllowed,
  loadAuthConfig,
  parseAuthConfig,
  REPOSITORY_ACTIONS,
  type AccessRule,
  type AuthConfig,
  type RepositoryAction,
} from './access.ts';
export { basicChallenge, bearerChallenge, parseAuthorization, type Authorization, type BearerChallenge } from './auth-header.ts';
export {
  createAuthorizer,
  type AuthorizeRequest,
  type AuthorizeResult,
  type Authorizer,
  type AuthorizerOptions,
  type RegistryNeed,
} from './authorize.ts';
export { grantAccess } from './grant.ts';
export { checkBcryptHash, loadHtpasswd, parseHtpasswd, PasswordVerifier, type PasswordVerifierOptions } from './htpasswd.ts';
export {
  algorithmFor,
  libtrustKeyId,
  signJwt,
  verifyJwt,
  type AccessClaim,
  type JwtAlgorithm,
  type JwtHeader,
  type JwtSigner,
  type TokenClaims,
  type VerifyJwtOptions,
} from './jwt.ts';
export { repositoryGlob, type RepositoryGlob } from './repository-glob.ts';
export { CATALOG_SCOPE, formatScope, parseScope, parseScopes, type Scope } from './scope.ts';
export {
  CERT_FILE,
  KEY_FILE,
  loadOrCreateSigningKey,
  signingKeyFromBundle,
  type SigningKeyOptions,
  type TokenSigningKey,
} from './signing-key.ts';
export {
  createTokenServer,
  type IssuedToken,
  type TokenServer,
  type TokenServerOptions,
} from './token-server.ts';
export {
  certificateBundleFromPem,
  createSelfSignedCertificate,
  loadCertificateBundle,
  subjectKeyId,
  type CertificateBundle,
  type SelfSignedOptions,
} from './x509.ts';
export { serverAuth, serverAuthFromFile, type ServerAuth, type TokenSettings } from './server-auth.ts';
