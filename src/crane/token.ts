/**
 * @module `crane auth token`: the bearer token a registry's token server grants for a
 * repository (pull, or push too, plus pull on mount sources), as crane prints it.
 */
import { Anonymous, type Authenticator } from '../authn/authenticator.ts';
import { Repository } from '../name/index.ts';
import { parseChallenges, pickChallenge } from '../remote/transport/challenge.ts';
import { readAll } from '../internal/limit/index.ts';
import { OciError } from '../errors/index.ts';
import type { CraneOptions } from './options.ts';
import { remoteOptions } from './options.ts';

export interface TokenAnswer {
  readonly token: string;
  readonly access_token?: string;
  readonly refresh_token?: string;
  readonly expires_in?: number;
}

/** Gets a token for `repo` the way a client would: ping, follow the Bearer challenge, exchange. */
export async function token(repo: string, options: CraneOptions & { push?: boolean; mounts?: readonly string[] } = {}): Promise<TokenAnswer> {
  const o = await remoteOptions(options);
  const r = Repository.parse(repo);
  const auth: Authenticator = o.auth ?? (o.keychain ? await o.keychain.resolve({ registry: r.registryStr(), repository: r.repositoryStr() }) : Anonymous);
  const { request } = await import('undici');
  const scheme = o.insecure ? 'http' : r.registry.scheme();
  const ping = await request(`${scheme}://${r.registryStr()}/v2/`, { method: 'GET' });
  await ping.body.dump();
  const challenge = pickChallenge(parseChallenges(ping.headers['www-authenticate'] as string | string[] | undefined));
  if (!challenge || challenge.scheme !== 'bearer' || !challenge.parameters['realm']) {
    throw new OciError(`${r.registryStr()} does not use token authentication (no Bearer challenge on /v2/)`);
  }
  const url = new URL(challenge.parameters['realm']);
  if (challenge.parameters['service']) url.searchParams.set('service', challenge.parameters['service']);
  url.searchParams.append('scope', r.scope(options.push ? 'push,pull' : 'pull'));
  for (const m of options.mounts ?? []) url.searchParams.append('scope', Repository.parse(m).scope('pull'));
  const cfg = await auth.authorization();
  const headers: Record<string, string> = {};
  const basic = cfg.auth ?? (cfg.username !== undefined ? Buffer.from(`${cfg.username}:${cfg.password ?? ''}`).toString('base64') : undefined);
  if (basic) headers['authorization'] = `Basic ${basic}`;
  const res = await request(url, { method: 'GET', headers });
  const body = await readAll(res.body, { max: 64 * 1024, what: 'token response' });
  if (res.statusCode !== 200) throw new OciError(`token request to ${url.origin}${url.pathname} failed: HTTP ${res.statusCode}`);
  const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  const t = (parsed['token'] ?? parsed['access_token']) as string | undefined;
  if (!t) throw new OciError('the token server answered without a token');
  const out: Record<string, unknown> = { token: t, access_token: (parsed['access_token'] as string | undefined) ?? t };
  if (typeof parsed['refresh_token'] === 'string') out['refresh_token'] = parsed['refresh_token'];
  if (typeof parsed['expires_in'] === 'number') out['expires_in'] = parsed['expires_in'];
  return out as unknown as TokenAnswer;
}
