/**
 * @module crane's `auth` verbs: store and erase credentials where docker and podman look
 * (`login`, `logout`), and answer as a Docker credential helper would (`get`).
 */
import { decodeAuth, defaultKeychain, eraseCredentials, saveCredentials } from '../authn/index.ts';
import { Registry } from '../name/index.ts';

/** Stores credentials for `server` in the Docker config (or its credential store); returns the file. */
export async function login(server: string, username: string, password: string): Promise<string> {
  const r = await saveCredentials(Registry.parse(server).registryStr(), { username, password });
  return r.path;
}

/** Erases the credentials for `server`; returns the file. */
export async function logout(server: string): Promise<string> {
  const r = await eraseCredentials(Registry.parse(server).registryStr());
  return r.path;
}

/**
 * The credentials the default keychain finds for `server`, in the credential-helper protocol's
 * shape (`{Username, Secret}`; identity tokens as username `<token>`), or undefined.
 */
export async function get(server: string): Promise<{ Username: string; Secret: string } | undefined> {
  const reg = Registry.parse(server);
  const cfg = await (await defaultKeychain.resolve({ registry: reg.registryStr() })).authorization();
  if (cfg.identityToken) return { Username: '<token>', Secret: cfg.identityToken };
  let username = cfg.username;
  let password = cfg.password;
  if ((!username || password === undefined) && cfg.auth) [username, password] = decodeAuth(cfg.auth, 'auth');
  if (!username && !password) return undefined;
  return { Username: username ?? '', Secret: password ?? '' };
}
