/**
 * @module Apache htpasswd files (bcrypt entries only, as distribution's `htpasswd` auth) and a
 * password verifier that caches recent successes, because bcrypt is slow by design and a registry
 * client sends its credentials with every one of many parallel requests.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { BadDocumentError } from '../../errors/index.ts';

// `$2y$` is what Apache's `htpasswd -B` writes; `$2a$`/`$2b$` come from other bcrypt tools.
// Cost is two digits; the rest is 22 characters of salt and 31 of hash in bcrypt's base64.
const bcryptHash = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/** Hash schemes htpasswd files may hold, named so the error says what was found. */
const otherSchemes: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\$apr1\$/, 'Apache MD5 ($apr1$)'],
  [/^\{SHA\}/, 'SHA-1 ({SHA})'],
  [/^\$1\$/, 'MD5-crypt ($1$)'],
  [/^\$5\$/, 'SHA-256-crypt ($5$)'],
  [/^\$6\$/, 'SHA-512-crypt ($6$)'],
  [/^\$2[^aby]?\$/, 'an unknown bcrypt variant'],
  [/^[./A-Za-z0-9]{13}$/, 'DES crypt'],
];

/**
 * Throws `BadDocumentError` at `where` unless `hash` is a bcrypt hash (`$2y$`, `$2a$`, `$2b$`),
 * naming the scheme found instead. Used for htpasswd lines and the access file's `users`.
 */
export function checkBcryptHash(hash: string, where: string, user: string): void {
  if (bcryptHash.test(hash)) return;
  const scheme = otherSchemes.find(([re]) => re.test(hash))?.[1] ?? (hash === '' ? 'an empty hash' : 'plain text or an unknown hash');
  throw new BadDocumentError(
    `user ${JSON.stringify(user)} has ${scheme}; only bcrypt ($2y$, $2a$, $2b$) is accepted, make it with "htpasswd -B"`,
    where,
  );
}

/**
 * Parses the text of an htpasswd file into a map from user to bcrypt hash. Blank lines and lines
 * starting with `#` are skipped; CRLF endings are accepted. A line without `:`, an empty user, a
 * user listed twice or a hash that is not bcrypt fails with `BadDocumentError` naming
 * `source:line`.
 *
 * @example
 * parseHtpasswd('alice:$2y$05$…\n', '/etc/registry/htpasswd').get('alice');
 */
export function parseHtpasswd(text: string, source = 'htpasswd'): Map<string, string> {
  const users = new Map<string, string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${source}:${i + 1}`;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new BadDocumentError('expected "user:hash"', where);
    const user = line.slice(0, colon);
    // Some tools append `:comment` fields after the hash, as Apache tolerates.
    const hash = line.slice(colon + 1).split(':', 1)[0]!;
    checkBcryptHash(hash, where, user);
    if (users.has(user)) throw new BadDocumentError(`user ${JSON.stringify(user)} is listed twice`, where);
    users.set(user, hash);
  });
  return users;
}

/** Reads and parses the htpasswd file at `path` (see {@link parseHtpasswd}). */
export async function loadHtpasswd(path: string): Promise<Map<string, string>> {
  return parseHtpasswd(await readFile(path, 'utf8'), path);
}

/** Options for {@link PasswordVerifier}. */
export interface PasswordVerifierOptions {
  /**
   * How long a successful check is remembered, in milliseconds. Default 60 000: long enough that
   * a push of many layers costs one bcrypt, short enough that a changed file takes effect soon.
   */
  readonly cacheTtlMs?: number;
  /** The most remembered successes; the oldest is dropped first. Default 1024. */
  readonly maxEntries?: number;
  /** The clock, in milliseconds (tests). */
  readonly now?: () => number;
}

/**
 * Checks user/password pairs against bcrypt hashes. Successes are remembered for a short while,
 * keyed by a SHA-256 of user, password and hash (the password itself is never kept); failures
 * are not, so guessing stays as slow as bcrypt. Concurrent checks of the same pair share one
 * bcrypt run. An unknown user still costs one bcrypt run, so timing does not reveal which users
 * exist.
 *
 * @example
 * const verifier = new PasswordVerifier(await loadHtpasswd('htpasswd'));
 * if (await verifier.verify('alice', password)) { … }
 */
export class PasswordVerifier {
  readonly #users: ReadonlyMap<string, string>;
  readonly #ttl: number;
  readonly #max: number;
  readonly #now: () => number;
  readonly #remembered = new Map<string, number>();
  readonly #inFlight = new Map<string, Promise<boolean>>();
  #decoy: Promise<string> | undefined;

  constructor(users: ReadonlyMap<string, string>, options: PasswordVerifierOptions = {}) {
    this.#users = users;
    this.#ttl = options.cacheTtlMs ?? 60_000;
    this.#max = options.maxEntries ?? 1024;
    this.#now = options.now ?? Date.now;
  }

  /** True when `password` is `user`'s; false for a wrong password or an unknown user. */
  async verify(user: string, password: string): Promise<boolean> {
    const hash = this.#users.get(user);
    if (hash === undefined) {
      await bcrypt.compare(password, await this.#decoyHash());
      return false;
    }
    const key = createHash('sha256').update(`${user}\0${password}\0${hash}`).digest('base64');
    const until = this.#remembered.get(key);
    if (until !== undefined) {
      if (until > this.#now()) return true;
      this.#remembered.delete(key);
    }
    let pending = this.#inFlight.get(key);
    if (pending === undefined) {
      pending = bcrypt.compare(password, hash).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    const ok = await pending;
    if (ok) this.#remember(key);
    return ok;
  }

  #remember(key: string): void {
    this.#remembered.delete(key);
    while (this.#remembered.size >= this.#max) {
      const oldest = this.#remembered.keys().next().value;
      if (oldest === undefined) break;
      this.#remembered.delete(oldest);
    }
    this.#remembered.set(key, this.#now() + this.#ttl);
  }

  /** A hash of a random password with the cost the real users have, made once on first need. */
  #decoyHash(): Promise<string> {
    const first = this.#users.values().next().value;
    const rounds = first === undefined ? 10 : bcrypt.getRounds(first);
    this.#decoy ??= bcrypt.hash(randomBytes(16).toString('base64'), rounds);
    return this.#decoy;
  }
}
