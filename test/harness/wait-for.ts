/**
 * @module Waiting, with a deadline, for a peer server to become ready: an HTTP endpoint that
 * answers (over TCP or a unix socket), or a socket file that appears. A server that dies while starting fails the wait at once
 * with its log, instead of letting the test sit out the deadline.
 */
import { access } from 'node:fs/promises';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** Options for the waits. */
export interface WaitOptions {
  /** Default 20 s: the peers here start in about a second. */
  readonly timeoutMs?: number;
  /** Checked between attempts; a string is why to give up now (the server exited). */
  readonly givenUp?: () => string | undefined;
  /** What is being waited for, for the timeout message. */
  readonly what?: string;
}

/**
 * Resolves once `GET path` answers with one of `statuses` (by default any status: the server
 * is up). `target` is a URL's origin (`http://127.0.0.1:5000`) or `{ socketPath }`.
 */
export async function waitForHttp(
  target: string | { readonly socketPath: string },
  path: string,
  options: WaitOptions & { readonly statuses?: readonly number[] } = {},
): Promise<number> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let last = 'no attempt yet';
  for (;;) {
    const reason = options.givenUp?.();
    if (reason !== undefined) throw new Error(`${options.what ?? 'server'} will not become ready: ${reason}`);
    try {
      const status = await getStatus(target, path);
      if (!options.statuses || options.statuses.includes(status)) return status;
      last = `status ${status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) {
      throw new Error(`${options.what ?? 'server'} not ready after ${options.timeoutMs ?? 20_000} ms (last: ${last})`);
    }
    await sleep(100);
  }
}

function getStatus(target: string | { readonly socketPath: string }, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const where =
      typeof target === 'string'
        ? (() => {
            const u = new URL(path, target);
            return { host: u.hostname, port: u.port, path: `${u.pathname}${u.search}` };
          })()
        : { socketPath: target.socketPath, path };
    const req = request({ ...where, method: 'GET', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** Resolves once a file (a socket, say) exists at `path`. */
export async function waitForPath(path: string, options: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const reason = options.givenUp?.();
    if (reason !== undefined) throw new Error(`${options.what ?? path} will not appear: ${reason}`);
    try {
      await access(path);
      return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${options.what ?? path} did not appear within ${options.timeoutMs ?? 20_000} ms`);
    await sleep(100);
  }
}
