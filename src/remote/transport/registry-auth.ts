/**
 * @module How a transport authenticates to its registry, decided by the ping (ggcr's
 * `NewWithContext`): nothing (200), credentials as they are (a Basic challenge), or bearer tokens
 * (a Bearer challenge). Also what a later 401 changes: more scopes and a new token, or — beyond
 * ggcr — a switch to Basic or Bearer when a registry that let the ping through challenges a
 * repository. A 401 from another host (after a redirect) gets an anonymous token of its own.
 */
import { Anonymous, type Authenticator } from '../../authn/authenticator.ts';
import { basicAuthorization } from './basic.ts';
import { BearerAuth } from './bearer.ts';
import { challengeScopes, type Challenge } from './challenge.ts';
import { AuthChallengeError } from './errors.ts';
import type { HttpClient } from './http-client.ts';
import { validateRealm } from './ssrf.ts';
import { fetchToken, type Token } from './token.ts';

/** What a {@link RegistryAuth} is made from. */
export interface RegistryAuthSettings {
  readonly client: HttpClient;
  /** The registry's `host[:port]` as written in references. */
  readonly registryHost: string;
  /** The scheme the ping settled on. */
  readonly scheme: 'http' | 'https';
  /** The transport was asked to be insecure: http realms are then acceptable too. */
  readonly insecure: boolean;
  readonly authenticator?: Authenticator | undefined;
  readonly scopes: readonly string[];
  readonly signal?: AbortSignal | undefined;
}

/** The registry's authentication state. */
export class RegistryAuth {
  readonly #settings: RegistryAuthSettings;
  readonly #authenticator: Authenticator;
  #mode: 'anonymous' | 'basic' | 'bearer' = 'anonymous';
  #bearer: BearerAuth | undefined;
  #scopes: string[];

  constructor(settings: RegistryAuthSettings) {
    this.#settings = settings;
    this.#authenticator = settings.authenticator ?? Anonymous;
    this.#scopes = [...settings.scopes];
  }

  /** `anonymous`, `basic` or `bearer`. */
  get mode(): 'anonymous' | 'basic' | 'bearer' {
    return this.#mode;
  }

  /**
   * Sets the mode from the ping's challenge (undefined for a 200): `basic` and `bearer` are
   * understood; a bearer challenge gets its first token now, so bad credentials fail here.
   */
  async start(challenge: Challenge | undefined): Promise<void> {
    if (challenge === undefined) return;
    if (challenge.scheme === 'basic') {
      this.#mode = 'basic';
      return;
    }
    if (challenge.scheme !== 'bearer') {
      throw new AuthChallengeError(
        `${this.#settings.registryHost} asks for ${JSON.stringify(challenge.scheme)} authentication, which is not supported (only Basic and Bearer are)`,
      );
    }
    this.#useBearer(challenge);
    await this.#bearer!.refresh(this.#settings.signal);
  }

  /** The bearer token answer the registry's token server gave, when it uses tokens. */
  get tokenAnswer(): Token | undefined {
    return this.#mode === 'bearer' ? this.#bearer!.answer : undefined;
  }

  /** The `Authorization` value for a request to the registry, if any. */
  async header(signal?: AbortSignal): Promise<string | undefined> {
    if (this.#mode === 'bearer') return this.#bearer!.authorization(signal);
    if (this.#mode === 'basic') return basicAuthorization(await this.#authenticator.authorization(signal ? { signal } : {}));
    return undefined;
  }

  /** Scopes the next token must cover too (a mount source's pull scope). */
  addScopes(scopes: readonly string[]): void {
    if (this.#bearer) this.#bearer.addScopes(scopes, 'last');
    for (const s of scopes) if (!this.#scopes.includes(s)) this.#scopes.push(s);
  }

  /**
   * Reacts to a 401 from the registry that carried `challenges` to a request sent with `sent`;
   * true when sending the request again may now succeed.
   */
  async onChallenge(challenges: readonly Challenge[], sent: string | undefined, signal?: AbortSignal): Promise<boolean> {
    if (this.#mode === 'bearer') {
      // Expired token or insufficient scope: ask for what the challenge names too (ggcr).
      const bearer = this.#bearer!;
      for (const c of challenges) bearer.addScopes(challengeScopes(c), 'first');
      await bearer.refreshAfterRejection(sent, signal);
      return true;
    }
    const bearerChallenge = challenges.find((c) => c.scheme === 'bearer' && c.parameters['realm']);
    if (bearerChallenge) {
      this.#useBearer(bearerChallenge);
      this.#bearer!.addScopes(challengeScopes(bearerChallenge), 'first');
      await this.#bearer!.refresh(signal);
      return true;
    }
    if (this.#mode === 'anonymous' && challenges.some((c) => c.scheme === 'basic')) {
      const cfg = await this.#authenticator.authorization(signal ? { signal } : {});
      if (basicAuthorization(cfg) === undefined) return false;
      this.#mode = 'basic';
      return true;
    }
    return false;
  }

  #useBearer(challenge: Challenge): void {
    const s = this.#settings;
    const realm = challenge.parameters['realm'];
    if (!realm) {
      throw new AuthChallengeError(`malformed WWW-Authenticate from ${s.registryHost}: the Bearer challenge has no realm`);
    }
    const allowHttp = s.scheme === 'http' || s.insecure;
    let realmURL: URL;
    try {
      realmURL = validateRealm(realm, s.registryHost, allowHttp);
    } catch (err) {
      throw new AuthChallengeError(`invalid realm in WWW-Authenticate from ${s.registryHost}: ${(err as Error).message}`, { cause: err });
    }
    this.#bearer = new BearerAuth({
      client: s.client,
      realm: realmURL,
      // Without a service parameter, name the registry, as ggcr did (distribution always sends one).
      service: challenge.parameters['service'] ?? s.registryHost,
      registryHost: s.registryHost,
      allowHttp,
      authenticator: this.#authenticator,
      scopes: this.#scopes,
      signal: s.signal,
    });
    this.#mode = 'bearer';
  }
}

/**
 * For a 401 from a host other than the registry (a redirect to blob storage that wants its own
 * token): an anonymous token from that host's Bearer realm, for this one request; the registry's
 * credentials and token never cross hosts. Undefined when no challenge is usable or the exchange
 * fails (logged).
 */
export async function crossHostToken(client: HttpClient, url: URL, challenges: readonly Challenge[], signal?: AbortSignal): Promise<string | undefined> {
  for (const c of challenges) {
    const realm = c.parameters['realm'];
    if (c.scheme !== 'bearer' || !realm) continue;
    try {
      const allowHttp = url.protocol === 'http:';
      const token = await fetchToken(client, {
        realm: validateRealm(realm, url.host, allowHttp),
        service: c.parameters['service'] ?? url.host,
        scopes: challengeScopes(c),
        auth: {},
        registryHost: url.host,
        allowHttp,
        signal,
      });
      return token.token;
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      client.log(`cross-host token exchange for ${url.host} failed: ${(err as Error).message}`);
    }
  }
  return undefined;
}
