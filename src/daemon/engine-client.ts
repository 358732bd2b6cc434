/**
 * @module The built-in Docker Engine client: `DOCKER_HOST` over node:http, API version
 * negotiation (`GET /_ping`, then every path under `/v<min(ours, daemon's)>/`, as Docker's own
 * client does), and the image calls of the `Client` interface.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { BadDocumentError, InvalidArgumentError } from '../errors/index.ts';
import { lazy } from '../internal/lazy/index.ts';
import { MANIFEST_LIMIT, readAll } from '../internal/limit/index.ts';
import { expectInteger, expectObject, expectString, optString, parseJSON } from '../v1/guard.ts';
import type { Client, HistoryItem, ImageInspect, PingResult, RequestOptions } from './client.ts';
import { answerBody, answerError, describeRequest, send, tlsAgent, type EngineTarget, type SendInit } from './engine-request.ts';
import { parseDockerHost, type DockerEnv, type EngineAddress } from './host.ts';
import { readLoadResponse } from './load-response.ts';
import { raceAbort } from '../internal/abort/index.ts';

/**
 * The newest Engine API version this client asks for. Everything used here exists unchanged
 * since 1.24; 1.48 adds inspect's `Descriptor`, which tells a containerd image store's image ID
 * (a manifest or index digest) from a config digest. A newer daemon is asked in this version,
 * an older one in its own.
 */
export const API_VERSION = '1.48';

/** What Docker's client assumes when `/_ping` names no version (daemons before 1.25 did not). */
const FALLBACK_API_VERSION = '1.24';

/** Options of {@link newClient}. */
export interface ClientOptions {
  /** The Engine address (`unix:///path`, `tcp://host:port`); default `DOCKER_HOST`, then the default socket. */
  readonly host?: string;
  /** Use this API version and skip negotiation; default `DOCKER_API_VERSION` when set. */
  readonly apiVersion?: string;
  /** Where `DOCKER_HOST`, `DOCKER_API_VERSION`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH` are read; default `process.env`. */
  readonly env?: DockerEnv;
}

/**
 * Returns a client for the Docker Engine at `options.host` (default `DOCKER_HOST`). Nothing is
 * sent until the first call; the first call negotiates the API version.
 *
 * @example
 * const client = newClient({ host: 'unix:///run/user/1000/docker.sock' });
 * const { Id } = await client.imageInspect('busybox:latest');
 */
export function newClient(options: ClientOptions = {}): EngineClient {
  return new EngineClient(options);
}

/** The built-in {@link Client}. */
export class EngineClient implements Client {
  /** Where requests go. */
  readonly address: EngineAddress;
  readonly #target: EngineTarget;
  readonly #fixedVersion: string | undefined;
  readonly #negotiated: () => Promise<PingResult>;

  constructor(options: ClientOptions = {}) {
    const env = options.env ?? process.env;
    this.address = parseDockerHost(options.host, env);
    const address = this.address;
    this.#target = { address, agent: lazy(() => tlsAgent(address)) };
    const fixed = options.apiVersion ?? (env['DOCKER_API_VERSION'] || undefined);
    if (fixed !== undefined && parseVersion(fixed) === undefined) {
      throw new InvalidArgumentError(`Docker API version ${JSON.stringify(fixed)} is not of the form 1.NN`);
    }
    this.#fixedVersion = fixed;
    // Shared by every caller, so no caller's signal may cancel it for the others.
    this.#negotiated = lazy(() => this.#ping(undefined));
  }

  /** The API version used with this daemon, negotiating it on first use. */
  async apiVersion(options: RequestOptions = {}): Promise<string> {
    if (this.#fixedVersion !== undefined) return this.#fixedVersion;
    return (await raceAbort(this.#negotiated(), options.signal)).negotiatedVersion;
  }

  ping(options: RequestOptions = {}): Promise<PingResult> {
    return this.#ping(options.signal);
  }

  async imageInspect(ref: string, options: RequestOptions = {}): Promise<ImageInspect> {
    const path = `${await this.#prefix(options)}/images/${pathName(ref)}/json`;
    const doc = expectObject(await this.#document({ method: 'GET', path, signal: options.signal }), 'image inspect');
    expectString(doc['Id'], 'image inspect.Id');
    return doc as ImageInspect;
  }

  async imageHistory(ref: string, options: RequestOptions = {}): Promise<readonly HistoryItem[]> {
    const path = `${await this.#prefix(options)}/images/${pathName(ref)}/history`;
    const doc = await this.#document({ method: 'GET', path, signal: options.signal });
    if (!Array.isArray(doc)) throw new BadDocumentError('expected an array', 'image history');
    return doc.map((v, i) => {
      const at = `image history[${i}]`;
      const o = expectObject(v, at);
      return {
        ...o,
        Id: optString(o['Id'], `${at}.Id`) ?? '',
        Created: expectInteger(o['Created'] ?? 0, `${at}.Created`),
        CreatedBy: optString(o['CreatedBy'], `${at}.CreatedBy`) ?? '',
        Size: expectInteger(o['Size'] ?? 0, `${at}.Size`),
        Comment: optString(o['Comment'], `${at}.Comment`) ?? '',
      } as HistoryItem;
    });
  }

  async imageSave(refs: readonly string[], options: RequestOptions = {}): Promise<Readable> {
    const query = refs.map((r) => `names=${encodeURIComponent(r)}`).join('&');
    const init: SendInit = { method: 'GET', path: `${await this.#prefix(options)}/images/get?${query}`, signal: options.signal };
    const response = await this.#ok(init);
    return answerBody(response, `docker save of ${refs.join(', ')} (${describeRequest(this.address, init)})`, options.signal);
  }

  async imageLoad(tarball: Readable, options: RequestOptions = {}): Promise<string> {
    // quiet=1: the answer is one "Loaded image" line, not a progress line per few megabytes.
    const init: SendInit = {
      method: 'POST',
      path: `${await this.#prefix(options)}/images/load?quiet=1`,
      headers: { 'content-type': 'application/x-tar' },
      body: tarball,
      signal: options.signal,
    };
    const { response, sent, stop } = await send(this.#target, init);
    let text: string;
    try {
      if (!isSuccess(response)) {
        const error = await answerError(this.address, init, response);
        // An early refusal: the daemon will not read the rest of the tarball.
        stop();
        throw error;
      }
      const json = /\bjson\b/i.test(response.headers['content-type'] ?? '');
      text = await readLoadResponse(response, { json, what: describeRequest(this.address, init) });
    } catch (err) {
      // When our own tarball failed, that is the cause of whatever the daemon said after.
      const sourceError = await sent;
      throw sourceError ?? err;
    }
    const sourceError = await sent;
    if (sourceError !== undefined) throw sourceError;
    return text;
  }

  async imageTag(source: string, repository: string, tag: string, options: RequestOptions = {}): Promise<void> {
    const query = `repo=${encodeURIComponent(repository)}&tag=${encodeURIComponent(tag)}`;
    const path = `${await this.#prefix(options)}/images/${pathName(source)}/tag?${query}`;
    const response = await this.#ok({ method: 'POST', path, signal: options.signal });
    response.resume();
  }

  async #ping(signal: AbortSignal | undefined): Promise<PingResult> {
    const init: SendInit = { method: 'GET', path: '/_ping', signal };
    const { response } = await send(this.#target, init);
    const header = (name: string) => {
      const v = response.headers[name];
      return (Array.isArray(v) ? v[0] : v) ?? '';
    };
    const apiVersion = header('api-version');
    // Docker's client trusts the header even on an error status: a daemon that names its
    // version is up, whatever its ping handler thinks of its own health.
    if (!isSuccess(response) && !apiVersion) throw await answerError(this.address, init, response);
    response.resume();
    return { apiVersion, osType: header('ostype'), negotiatedVersion: this.#fixedVersion ?? lowerVersion(API_VERSION, apiVersion || FALLBACK_API_VERSION) };
  }

  async #prefix(options: RequestOptions): Promise<string> {
    return `/v${await this.apiVersion(options)}`;
  }

  /** Sends `init` and returns the answer when its status is 2xx; the typed error otherwise. */
  async #ok(init: SendInit): Promise<IncomingMessage> {
    const { response } = await send(this.#target, init);
    if (!isSuccess(response)) throw await answerError(this.address, init, response);
    return response;
  }

  /** A JSON answer read whole (capped like a manifest). */
  async #document(init: SendInit): Promise<unknown> {
    const response = await this.#ok(init);
    const what = describeRequest(this.address, init);
    return parseJSON(await readAll(response, { max: MANIFEST_LIMIT, what, signal: init.signal }), what);
  }
}

function isSuccess(response: IncomingMessage): boolean {
  const s = response.statusCode ?? 0;
  return s >= 200 && s < 300;
}

/**
 * A name in a URL path the way Go's url.URL writes it: `/`, `:` and `@` stay (the Engine's
 * router takes `{name:.*}`), anything that would end or break the path is escaped.
 */
function pathName(ref: string): string {
  return encodeURIComponent(ref).replace(/%2F/gi, '/').replace(/%3A/gi, ':').replace(/%40/gi, '@');
}

function parseVersion(v: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** The lower of two API versions; `ours` when the daemon's does not parse. */
export function lowerVersion(ours: string, theirs: string): string {
  const a = parseVersion(ours);
  const b = parseVersion(theirs);
  if (!a || !b) return ours;
  return a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]) ? ours : `${b[0]}.${b[1]}`;
}

