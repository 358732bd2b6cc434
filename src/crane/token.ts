/**
 * @module `crane auth token`: the bearer token a registry's token server grants for a
 * repository (pull, or push too, plus pull on mount sources), as crane prints it. The exchange
 * is the transport's own — same SSRF rules, retries, certificates and OAuth2 flow as every pull.
 */
import { Anonymous } from '../authn/authenticator.ts';
import { Repository } from '../name/index.ts';
import { newTransport } from '../remote/transport/index.ts';
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
  const authenticator = o.auth ?? (o.keychain ? await o.keychain.resolve({ registry: r.registryStr(), repository: r.repositoryStr() }) : Anonymous);
  const scopes = [r.scope(options.push ? 'push,pull' : 'pull'), ...(options.mounts ?? []).map((m) => Repository.parse(m).scope('pull'))];
  const t = await newTransport(r.registry, scopes, { ...o, authenticator });
  const answer = t.tokenAnswer;
  if (!answer) throw new OciError(`${r.registryStr()} does not use token authentication (no Bearer challenge on /v2/)`);
  return {
    token: answer.token,
    access_token: answer.token,
    ...(answer.refreshToken ? { refresh_token: answer.refreshToken } : {}),
    ...(answer.expiresInMs !== undefined ? { expires_in: Math.round(answer.expiresInMs / 1000) } : {}),
  };
}
