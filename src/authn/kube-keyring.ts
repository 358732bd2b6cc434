/**
 * @module Kubernetes image pull secrets as a keychain, matched the way the kubelet matches them
 * (ggcr's `kubernetes.NewFromPullSecrets`, after kubelet's `credentialprovider` keyring): keys
 * are `host[:port][/path]` with `*` globs per DNS label, the port must be the same, the path is
 * a prefix, and the most specific key is tried first.
 */
import { BadDocumentError } from '../errors/index.ts';
import { Anonymous, fromConfig, isAnonymous, type AuthConfig, type Keychain } from './authenticator.ts';
import { isObject, parseAuthEntry } from './auth-entry.ts';
import { isDockerHub, resourceString } from './server-key.ts';

/** `type` of a secret holding a whole config.json under `.dockerconfigjson`. */
export const SECRET_TYPE_DOCKER_CONFIG_JSON = 'kubernetes.io/dockerconfigjson';
/** `type` of a legacy secret holding a bare `auths` map under `.dockercfg`. */
export const SECRET_TYPE_DOCKERCFG = 'kubernetes.io/dockercfg';

/** The parts of a Kubernetes `Secret` (as the API returns it) that pull secrets use. */
export interface KubernetesSecret {
  readonly metadata?: { readonly name?: string | undefined; readonly namespace?: string | undefined } | undefined;
  readonly type?: string | undefined;
  /** base64 values, as the API returns them. */
  readonly data?: Readonly<Record<string, string>> | undefined;
  /** Plain values, as manifests may write them; read when `data` lacks the key. */
  readonly stringData?: Readonly<Record<string, string>> | undefined;
}

interface KeyringEntry {
  readonly key: string;
  readonly creds: AuthConfig[];
}

/**
 * A keychain over the given pull secrets. Secrets of other types, and secrets without their
 * data key, are skipped (as ggcr and the kubelet do); one whose JSON is malformed throws
 * `BadDocumentError` naming the secret. Resolution never does I/O.
 *
 * @example
 * const kc = newKeychainFromPullSecrets([secretFromApi]);
 * await kc.resolve({ registry: 'us-docker.pkg.dev', repository: 'proj/repo/app' });
 */
export function newKeychainFromPullSecrets(secrets: readonly KubernetesSecret[]): Keychain {
  const byKey = new Map<string, AuthConfig[]>();
  for (const secret of secrets) {
    for (const [registry, cfg] of secretAuths(secret)) {
      const key = keyringKey(registry);
      const list = byKey.get(key);
      if (list) list.push(cfg);
      else byKey.set(key, [cfg]);
    }
  }
  // Reverse byte order puts `host/a/b` before `host/a` before `host`, and a named host before a
  // `*` glob of the same shape: kubelet's (and ggcr's) "most specific first".
  const index: KeyringEntry[] = [...byKey]
    .sort(([a], [b]) => (a < b ? 1 : a > b ? -1 : 0))
    .map(([key, creds]) => ({ key, creds }));
  return {
    async resolve(resource) {
      const registry = isDockerHub(resource.registry) ? 'index.docker.io' : resource.registry;
      const image = resourceString({ ...resource, registry });
      for (const entry of index) {
        if (!urlsMatch(entry.key, image)) continue;
        const cfg = entry.creds[0];
        if (cfg && !isAnonymous(cfg)) return fromConfig(cfg);
      }
      return Anonymous;
    },
  };
}

/** The `auths` entries of one secret, keyed as written. */
function secretAuths(secret: KubernetesSecret): Map<string, AuthConfig> {
  const name = `secret ${secret.metadata?.namespace ? `${secret.metadata.namespace}/` : ''}${secret.metadata?.name ?? '(unnamed)'}`;
  let auths: unknown;
  if (secret.type === SECRET_TYPE_DOCKER_CONFIG_JSON) {
    const doc = secretJSON(secret, '.dockerconfigjson', name);
    if (doc === undefined) return new Map();
    auths = isObject(doc) ? doc.auths : undefined;
  } else if (secret.type === SECRET_TYPE_DOCKERCFG) {
    auths = secretJSON(secret, '.dockercfg', name);
  } else {
    return new Map();
  }
  const out = new Map<string, AuthConfig>();
  if (auths === undefined || auths === null) return out;
  if (!isObject(auths)) throw new BadDocumentError(`must be an object in ${name}`, 'auths');
  for (const [registry, entry] of Object.entries(auths)) {
    out.set(registry, parseAuthEntry(entry, `auths[${JSON.stringify(registry)}]`, name));
  }
  return out;
}

function secretJSON(secret: KubernetesSecret, field: string, name: string): unknown {
  let text: string | undefined;
  const encoded = secret.data?.[field];
  if (encoded !== undefined && encoded !== '') text = Buffer.from(encoded, 'base64').toString('utf8');
  else text = secret.stringData?.[field];
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadDocumentError(`is not valid JSON in ${name}`, `data[${JSON.stringify(field)}]`);
  }
}

/**
 * A secret's registry key as the kubelet files it: scheme dropped, a leading `/v1/` or `/v2/`
 * (API URLs `docker login` used to write) dropped, a bare `/` path dropped. Docker Hub's other
 * names are filed as `index.docker.io` (beyond ggcr, so a `docker.io` key matches Hub images).
 */
export function keyringKey(registry: string): string {
  const schemeless = registry.replace(/^https?:\/\//, '');
  const slash = schemeless.indexOf('/');
  let host = slash === -1 ? schemeless : schemeless.slice(0, slash);
  let path = slash === -1 ? '' : schemeless.slice(slash);
  if (path.startsWith('/v1/') || path.startsWith('/v2/')) path = path.slice(3);
  if (isDockerHub(host)) host = 'index.docker.io';
  return path !== '' && path !== '/' ? host + path : host;
}

function splitHost(schemeless: string): { labels: string[]; port: string; path: string } {
  const slash = schemeless.indexOf('/');
  const hostport = slash === -1 ? schemeless : schemeless.slice(0, slash);
  const path = slash === -1 ? '' : schemeless.slice(slash);
  const m = /^(\[[^\]]*\]|[^:]*):(\d*)$/.exec(hostport);
  const host = m ? (m[1] ?? '').replace(/^\[|\]$/g, '') : hostport;
  return { labels: host.split('.'), port: m ? (m[2] ?? '') : '', path };
}

/**
 * The kubelet's `URLsMatch`: does `target` (`host[:port]/path`) match `glob`? Same port, same
 * number of DNS labels, each label matching its glob (`*` any run of characters, `?` one), and
 * glob's path a prefix of target's (a plain string prefix, as the kubelet has it).
 */
export function urlsMatch(glob: string, target: string): boolean {
  const g = splitHost(glob);
  const t = splitHost(target);
  if (g.port !== t.port || g.labels.length !== t.labels.length) return false;
  if (!t.path.startsWith(g.path)) return false;
  return g.labels.every((label, i) => labelMatches(label, t.labels[i] ?? ''));
}

/**
 * `*` (any run of characters) and `?` (one) glob matching, in linear time: the last `*` is
 * revisited on a mismatch instead of backtracking over every earlier one, so a hostile key full
 * of stars cannot stall resolution.
 */
function labelMatches(glob: string, label: string): boolean {
  let g = 0;
  let l = 0;
  let star = -1;
  let resume = 0;
  while (l < label.length) {
    if (g < glob.length && (glob[g] === '?' || glob[g] === label[l])) {
      g++;
      l++;
    } else if (g < glob.length && glob[g] === '*') {
      star = g++;
      resume = l;
    } else if (star >= 0) {
      g = star + 1;
      l = ++resume;
    } else {
      return false;
    }
  }
  while (glob[g] === '*') g++;
  return g === glob.length;
}
