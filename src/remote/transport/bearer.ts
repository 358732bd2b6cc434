/**
 * @module The bearer token of one transport (ggcr's `bearerTransport` state): the scopes asked
 * for, the token, one exchange at a time shared by every request waiting for it, a `refresh_token`
 * that replaces the credentials, and — beyond ggcr — a refresh shortly before `expires_in` runs
 * out, so a long copy never sends a token the registry is about to reject.
 */
import { fromConfig, type Authenticator } from '../../authn/authenticator.ts';
import type { HttpClient } from './http-client.ts';
import { fetchToken, type Token } from './token.ts';
import { raceAbort } from '../../internal/abort/index.ts';

/** What a {@link BearerAuth} is made from. */
export interface BearerSettings {
  readonly client: HttpClient;
  readonly realm: URL;
  readonly service: string;
  readonly registryHost: string;
  readonly allowHttp: boolean;
  readonly authenticator: Authenticator;
  readonly scopes: readonly string[];
  /** The transport's signal: a shared exchange is not cut short by one request's abort. */
  readonly signal?: AbortSignal | undefined;
}

/** The longest head start a refresh takes on expiry; shorter lifetimes refresh after three quarters. */
const MAX_REFRESH_MARGIN_MS = 30_000;

/** A transport's bearer token and how to renew it. */
export class BearerAuth {
  readonly #settings: BearerSettings;
  #authenticator: Authenticator;
  #scopes: string[];
  #token: string | undefined;
  #answer: Token | undefined;
  #expiresAt: number | undefined;
  #marginMs = 0;
  /** The scopes changed since the token was issued. */
  #stale = true;
  #inflight: { key: string; promise: Promise<void> } | undefined;

  constructor(settings: BearerSettings) {
    this.#settings = settings;
    this.#authenticator = settings.authenticator;
    this.#scopes = [...new Set(settings.scopes)];
  }

  /** The scopes the next token is asked for. */
  get scopes(): readonly string[] {
    return this.#scopes;
  }

  /**
   * Adds scopes not yet asked for and returns whether there were any; the next request then
   * gets a new token. Scopes named by a challenge go first because some token servers read only
   * the first `scope` (ggcr); scopes a caller adds go last, after the push scope.
   */
  addScopes(scopes: readonly string[], position: 'first' | 'last'): boolean {
    const added = [...new Set(scopes)].filter((s) => s !== '' && !this.#scopes.includes(s));
    if (added.length === 0) return false;
    this.#scopes = position === 'first' ? [...added, ...this.#scopes] : [...this.#scopes, ...added];
    this.#stale = true;
    return true;
  }

  /** The token server's latest answer (what `crane auth token` prints), after an exchange. */
  get answer(): Token | undefined {
    return this.#answer;
  }

  /** `Bearer <token>`, exchanging first when there is no token, the scopes grew, or it is about to expire. */
  async authorization(signal?: AbortSignal): Promise<string> {
    if (this.#token === undefined || this.#stale || this.#expiringSoon()) await this.refresh(signal);
    return `Bearer ${this.#token}`;
  }

  /**
   * After the registry refused `rejected` (the header a request carried): a new exchange,
   * unless another request already replaced that token, in which case the caller just retries.
   */
  async refreshAfterRejection(rejected: string | undefined, signal?: AbortSignal): Promise<void> {
    if (!this.#stale && this.#token !== undefined && rejected !== `Bearer ${this.#token}`) return;
    await this.refresh(signal, true);
  }

  /** Exchanges credentials for a token; concurrent callers for the same scopes share one exchange. */
  refresh(signal?: AbortSignal, force = false): Promise<void> {
    const key = this.#scopes.join(' ');
    const inflight = this.#inflight;
    if (inflight && inflight.key === key) return raceAbort(inflight.promise, signal);
    if (!force && !this.#stale && this.#token !== undefined && !this.#expiringSoon()) return Promise.resolve();
    const promise = this.#exchange(key).finally(() => {
      if (this.#inflight?.promise === promise) this.#inflight = undefined;
    });
    this.#inflight = { key, promise };
    return raceAbort(promise, signal);
  }

  async #exchange(key: string): Promise<void> {
    const s = this.#settings;
    const scopes = [...this.#scopes];
    const auth = await this.#authenticator.authorization(s.signal ? { signal: s.signal } : {});
    let token: string;
    let lifetimeMs: number | undefined;
    if (auth.registryToken) {
      // A registry token is the bearer token itself (ggcr `refresh`): nothing to exchange.
      token = auth.registryToken;
      this.#answer = { token };
    } else {
      const answer = await fetchToken(s.client, {
        realm: s.realm,
        service: s.service,
        scopes,
        auth,
        registryHost: s.registryHost,
        allowHttp: s.allowHttp,
        signal: s.signal,
      });
      token = answer.token;
      this.#answer = answer;
      lifetimeMs = answer.expiresInMs;
      // The OAuth2 flow hands back a refresh token to use from now on (ggcr does the same).
      if (answer.refreshToken) this.#authenticator = fromConfig({ identityToken: answer.refreshToken });
    }
    this.#token = token;
    this.#expiresAt = lifetimeMs === undefined ? undefined : Date.now() + lifetimeMs;
    this.#marginMs = lifetimeMs === undefined ? 0 : Math.min(MAX_REFRESH_MARGIN_MS, lifetimeMs / 4);
    // Scopes added while this exchange ran are not in the token yet.
    this.#stale = this.#scopes.join(' ') !== key;
  }

  #expiringSoon(): boolean {
    return this.#expiresAt !== undefined && Date.now() >= this.#expiresAt - this.#marginMs;
  }
}
