/**
 * @module One HTTP exchange with the Docker Engine over a unix socket or tcp (optionally TLS):
 * sending a request (with a streamed body), turning an error answer's `{"message": …}` into a
 * typed error, and handing a streamed answer on with its failures named. node:http only: the
 * Engine is local and talks plain HTTP/1.1, so undici's pooling would buy nothing here.
 */
import { request as httpRequest, type Agent, type IncomingMessage, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { DaemonError, NotFoundError } from '../errors/index.ts';
import { readAll, SMALL_BODY_LIMIT } from '../internal/limit/index.ts';
import type { EngineAddress } from './host.ts';

/** What a request is sent to: the parsed address and, for TLS, the agent holding the certificates. */
export interface EngineTarget {
  readonly address: EngineAddress;
  /** The TLS agent, built once on first use (reading the certificate files is I/O). */
  readonly agent: () => Promise<Agent | undefined>;
}

/** One request. `path` starts with `/` and is relative to the address's base path. */
export interface SendInit {
  readonly method: 'GET' | 'POST' | 'HEAD';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A streamed request body (the tarball of `docker load`). */
  readonly body?: Readable;
  readonly signal?: AbortSignal | undefined;
}

/** An answer whose headers have arrived. */
export interface Sent {
  readonly response: IncomingMessage;
  /**
   * Settles once the request body is sent or has failed; resolves to the body stream's own
   * error when the body failed (that is the real cause of whatever the daemon says next), else
   * undefined. Never rejects.
   */
  readonly sent: Promise<unknown>;
  /** Stops sending the body (the daemon has answered and will not read the rest). */
  stop(): void;
}

/** Builds the TLS agent for `address`, or undefined for plain connections. */
export async function tlsAgent(address: EngineAddress): Promise<Agent | undefined> {
  if (address.kind !== 'tcp' || !address.tls) return undefined;
  const { certPath, verify } = address.tls;
  if (certPath === undefined) return new HttpsAgent({ keepAlive: true, rejectUnauthorized: verify });
  const read = async (file: string) => {
    try {
      return await readFile(join(certPath, file));
    } catch (err) {
      throw new DaemonError(`Docker TLS: cannot read ${join(certPath, file)} (set DOCKER_CERT_PATH to the folder holding ca.pem, cert.pem, key.pem)`, {}, { cause: err });
    }
  };
  const [ca, cert, key] = await Promise.all([read('ca.pem'), read('cert.pem'), read('key.pem')]);
  return new HttpsAgent({ keepAlive: true, ca, cert, key, rejectUnauthorized: verify });
}

/**
 * Sends one request and resolves once the answer's headers arrive, whatever the status. A
 * failure before that rejects: with the body stream's own error when the body failed, the abort
 * reason when `signal` fired, else a DaemonError naming the address.
 */
export async function send(target: EngineTarget, init: SendInit): Promise<Sent> {
  const { address } = target;
  const agent = await target.agent();
  const what = describeRequest(address, init);
  return new Promise<Sent>((resolve, reject) => {
    const common = { method: init.method, headers: { ...init.headers }, signal: init.signal } as const;
    let req: ClientRequest;
    if (address.kind === 'unix') {
      req = httpRequest({ ...common, socketPath: address.socketPath, path: init.path });
    } else {
      const options = { ...common, host: address.hostname, port: address.port, path: `${address.basePath}${init.path}` };
      req = address.tls ? httpsRequest({ ...options, ...(agent ? { agent } : {}) }) : httpRequest(options);
    }
    let sourceError: unknown;
    // Set once the request side has failed or been stopped: errors the body gets after that
    // are only pipeline handing the request's end back to it.
    let requestDone = false;
    let settleSent: (v: unknown) => void = () => {};
    const sent = new Promise<unknown>((r) => (settleSent = r));
    const stop = () => {
      requestDone = true;
      req.destroy();
    };
    // `on`, not `once`: a request can fail twice (upload, then socket), and an unheard error crashes.
    req.on('error', (err) => {
      requestDone = true;
      if (sourceError !== undefined) reject(sourceError);
      else if (init.signal?.aborted) reject(init.signal.reason);
      else reject(connectionError(address, what, err));
    });
    req.once('response', (response) => resolve({ response, sent, stop }));
    const { body } = init;
    if (!body) {
      req.end();
      settleSent(undefined);
      return;
    }
    // The first error of the body itself (not one pipeline hands it after the socket failed).
    body.once('error', (err) => {
      if (!requestDone) sourceError ??= err;
    });
    pipeline(body, req, () => settleSent(sourceError));
  });
}

/** `GET unix:///var/run/docker.sock /v1.47/images/x/json`, for messages. */
export function describeRequest(address: EngineAddress, init: { method: string; path: string }): string {
  return `${init.method} ${address.display} ${init.path}`;
}

function connectionError(address: EngineAddress, what: string, err: Error): DaemonError {
  const code = (err as NodeJS.ErrnoException).code;
  const hint = code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' ? ` (is the Docker daemon running at ${address.display}, and may we use it?)` : '';
  return new DaemonError(`${what}: cannot reach the Docker daemon: ${err.message}${hint}`, {}, { cause: err });
}

/**
 * Reads an error answer and returns the matching error: NotFoundError for 404 (its `cause` a
 * DaemonError with the status), DaemonError otherwise. The daemon's `{"message": …}` is kept
 * verbatim; a body that is not that JSON is shown as text, shortened.
 */
export async function answerError(address: EngineAddress, init: { method: string; path: string }, response: IncomingMessage): Promise<Error> {
  const status = response.statusCode ?? 0;
  let text = '';
  try {
    text = (await readAll(response, { max: SMALL_BODY_LIMIT, what: 'Docker daemon error answer' })).toString('utf8');
  } catch {
    // A broken or huge error body still leaves the status to report.
  }
  const message = daemonMessage(text);
  const what = describeRequest(address, init);
  const error = new DaemonError(`${what}: ${status}${message ? `: ${message}` : ''}`, { status, daemonMessage: message });
  return status === 404 ? new NotFoundError(error.message, { cause: error }) : error;
}

function daemonMessage(text: string): string {
  try {
    const doc: unknown = JSON.parse(text);
    if (typeof doc === 'object' && doc !== null && typeof (doc as { message?: unknown }).message === 'string') {
      return (doc as { message: string }).message;
    }
  } catch {
    // not JSON: show the text
  }
  const trimmed = text.trim();
  return trimmed.length > 512 ? `${trimmed.slice(0, 512)}…` : trimmed;
}

/**
 * The body of a streamed answer (`docker save`), as a Readable whose failures say what broke: a
 * connection that drops before the answer is complete fails it with DaemonError (the abort
 * reason when `signal` fired). Destroying the result closes the connection.
 */
export function answerBody(response: IncomingMessage, what: string, signal?: AbortSignal): Readable {
  const out = new PassThrough();
  let bytes = 0;
  response.on('data', (chunk: Buffer) => (bytes += chunk.length));
  response.once('error', (err) => {
    if (signal?.aborted) out.destroy(signal.reason as Error);
    else out.destroy(new DaemonError(`${what}: the daemon's answer broke off after ${bytes} bytes: ${err.message}`, {}, { cause: err }));
  });
  out.once('close', () => {
    if (!response.complete) response.destroy();
  });
  response.pipe(out);
  return out;
}
