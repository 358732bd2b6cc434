/**
 * @module Our embedded registry as the peers meet it: no auth, basic auth, or token auth with
 * its own `/token` issuer, its users' bcrypt hashes made by Apache's `htpasswd -B` (so the
 * hashes are a real peer's, not our own). Every logged-in user may do everything, anonymous users
 * nothing: distribution's htpasswd behaviour.
 */
import { listen, type RunningRegistry } from '../../src/registry/index.ts';
import { parseAuthConfig } from '../../src/registry/auth/access.ts';
import { serverAuth, type TokenSettings } from '../../src/registry/auth/server-auth.ts';
import type { TokenServer } from '../../src/registry/auth/token-server.ts';
import { mustRun } from './run-command.ts';

/** How clients must authenticate. */
export type AuthMode = 'none' | 'basic' | 'token';

/** Options for {@link startOurRegistry}. */
export interface OurRegistryOptions {
  readonly mode: AuthMode;
  /** Default memory. */
  readonly storage?: { readonly disk: string };
  /** `htpasswd -B` lines (`user:$2y$…`), needed for basic and token modes. */
  readonly htpasswdLines?: readonly string[];
  /** Token issuer settings (service, issuer, keyType) in token mode. */
  readonly token?: TokenSettings;
}

/** Our running registry and, in token mode, its token issuer. */
export interface OurRegistry {
  readonly registry: RunningRegistry;
  /** `127.0.0.1:PORT`. */
  readonly host: string;
  readonly url: string;
  readonly tokenServer?: TokenServer;
  /** The access log so far, one line per request (`GET /token?… 200 …`), for asserting who asked what. */
  readonly requests: () => readonly string[];
  close(): Promise<void>;
}

/** `htpasswd -Bbn user password` for each user: bcrypt lines as Apache writes them. */
export async function htpasswdLines(htpasswd: string, users: Readonly<Record<string, string>>): Promise<string[]> {
  const lines: string[] = [];
  for (const [user, password] of Object.entries(users)) {
    // Cost 5 (the minimum Apache allows) keeps each login check to a few milliseconds.
    const r = await mustRun(htpasswd, ['-Bbn', '-C', '5', user, password], { timeoutMs: 20_000 });
    lines.push(r.stdout.trim());
  }
  return lines;
}

/** Starts our registry on a free loopback port in the given auth mode. */
export async function startOurRegistry(options: OurRegistryOptions): Promise<OurRegistry> {
  let auth: Awaited<ReturnType<typeof serverAuth>> | undefined;
  if (options.mode !== 'none') {
    const users: Record<string, string> = {};
    for (const line of options.htpasswdLines ?? []) {
      const at = line.indexOf(':');
      users[line.slice(0, at)] = line.slice(at + 1);
    }
    const config = await parseAuthConfig({ users }, process.cwd(), 'test access config');
    auth = await serverAuth(config, options.mode, options.token ?? {});
  }
  const lines: string[] = [];
  const registry = await listen({
    accessLog: (line) => lines.push(line),
    ...(options.storage ? { storage: options.storage } : {}),
    ...(auth ? { authorize: auth.authorize } : {}),
    ...(auth?.extraRoutes ? { extraRoutes: auth.extraRoutes } : {}),
  });
  return {
    registry,
    host: registry.host,
    url: registry.url,
    ...(auth?.tokenServer ? { tokenServer: auth.tokenServer } : {}),
    requests: () => lines,
    close: () => registry.close(),
  };
}

/**
 * The manifest digest our registry reports for `repo:reference` (`HEAD`, with `Accept` for every
 * manifest type, so the stored bytes are not converted), as a client sees it. `authorization`
 * is a full header value when the registry wants one.
 */
export async function headManifestDigest(url: string, repo: string, reference: string, authorization?: string): Promise<string | undefined> {
  const res = await fetch(`${url}/v2/${repo}/manifests/${reference}`, {
    method: 'HEAD',
    headers: {
      accept: [
        'application/vnd.oci.image.manifest.v1+json',
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.docker.distribution.manifest.list.v2+json',
      ].join(', '),
      ...(authorization ? { authorization } : {}),
    },
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) return undefined;
  return res.headers.get('docker-content-digest') ?? undefined;
}

/**
 * An `Authorization` header value that lets `account` pull `repository` from `reg` in its mode:
 * none in `none` mode, Basic with `password`, or a Bearer token our issuer signs directly.
 */
export function pullAuthorization(reg: OurRegistry, mode: AuthMode, repository: string, account: string, password: string): string | undefined {
  if (mode === 'none') return undefined;
  if (mode === 'basic') return `Basic ${Buffer.from(`${account}:${password}`).toString('base64')}`;
  if (!reg.tokenServer) throw new Error('token mode without a token server');
  return `Bearer ${reg.tokenServer.issue(account, [{ type: 'repository', name: repository, actions: ['pull'] }]).token}`;
}
