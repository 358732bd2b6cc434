/**
 * @module The access file of the embedded registry: who may log in (bcrypt users, inline or from
 * an htpasswd file) and who may pull, push or delete which repositories, or list the catalog.
 *
 * ```json
 * {
 *   "htpasswd": "htpasswd",
 *   "access": [
 *     { "account": "alice", "repository": "team/*", "actions": ["pull", "push", "delete"] },
 *     { "account": "*", "repository": "library/**", "actions": ["pull"] },
 *     { "account": "anonymous", "repository": "public/**", "actions": ["pull"] },
 *     { "account": "alice", "catalog": true }
 *   ]
 * }
 * ```
 *
 * `account` is a user name, `*` (any logged-in user) or `anonymous` (anyone, logged in or not:
 * logging in never takes rights away). Rules add up; there are no deny rules. Without an
 * `access` list every logged-in user may do everything and anonymous users nothing, which is
 * what distribution's htpasswd auth allows. `users` maps names to bcrypt hashes; `htpasswd` is
 * a path, relative to the access file's folder; give one or the other.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { BadDocumentError } from '../../errors/index.ts';
import { checkBcryptHash, loadHtpasswd } from './htpasswd.ts';
import { repositoryGlob, type RepositoryGlob } from './repository-glob.ts';

/** What may be done to a repository. */
export type RepositoryAction = 'pull' | 'push' | 'delete';

/** Every repository action, in the order scopes and tokens list them. */
export const REPOSITORY_ACTIONS: readonly RepositoryAction[] = ['pull', 'push', 'delete'];

/** The account name of rules that apply to everyone, logged in or not. */
export const ANONYMOUS = 'anonymous';

/** The account name of rules that apply to every logged-in user. */
export const ANY_USER = '*';

/** One rule of the access file, compiled. */
export type AccessRule =
  | { readonly account: string; readonly repository: RepositoryGlob; readonly actions: ReadonlySet<RepositoryAction> }
  | { readonly account: string; readonly catalog: true };

/** A parsed access file. */
export interface AuthConfig {
  /** User name → bcrypt hash. */
  readonly users: ReadonlyMap<string, string>;
  readonly rules: readonly AccessRule[];
}

/**
 * Reads and parses the access file at `path` (JSON). Relative paths inside it are resolved
 * against its folder. Errors are `BadDocumentError`s naming the field and the file.
 *
 * @example
 * const config = await loadAuthConfig('/etc/registry/access.json');
 */
export async function loadAuthConfig(path: string): Promise<AuthConfig> {
  const text = await readFile(path, 'utf8');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new BadDocumentError(`access file ${path} is not JSON: ${(err as Error).message}`, '', { cause: err });
  }
  return parseAuthConfig(document, dirname(resolve(path)), path);
}

/**
 * Checks and compiles an access document already parsed from JSON. `baseDir` is where a relative
 * `htpasswd` path points from; `source` names the document in error messages.
 */
export async function parseAuthConfig(document: unknown, baseDir: string, source = 'access file'): Promise<AuthConfig> {
  const fail = (message: string, where: string): never => {
    throw new BadDocumentError(`${message} (in ${source})`, where);
  };
  if (!isObject(document)) return fail('must be a JSON object', '');
  for (const key of Object.keys(document)) {
    if (key !== 'users' && key !== 'htpasswd' && key !== 'access') {
      fail(`unknown field ${JSON.stringify(key)}; expected users, htpasswd or access`, key);
    }
  }
  if (document['users'] !== undefined && document['htpasswd'] !== undefined) {
    fail('give either "users" or "htpasswd", not both', '');
  }

  let users = new Map<string, string>();
  if (document['users'] !== undefined) {
    const given = document['users'];
    if (!isObject(given)) return fail('must be an object of user name to bcrypt hash', 'users');
    for (const [user, hash] of Object.entries(given)) {
      if (typeof hash !== 'string') return fail('must be a bcrypt hash string', `users.${user}`);
      rethrowAt(() => checkBcryptHash(hash, '', user), `users.${user}`, fail);
      users.set(user, hash);
    }
  } else if (document['htpasswd'] !== undefined) {
    const file = document['htpasswd'];
    if (typeof file !== 'string' || file === '') return fail('must be the path of an htpasswd file', 'htpasswd');
    users = await loadHtpasswd(resolve(baseDir, file));
  }
  for (const user of users.keys()) {
    if (user === ANONYMOUS || user === ANY_USER || user.includes(':') || user === '') {
      fail(`user name ${JSON.stringify(user)} is reserved or invalid`, 'users');
    }
  }

  const rules: AccessRule[] = [];
  if (document['access'] === undefined) {
    rules.push(
      { account: ANY_USER, repository: repositoryGlob('**'), actions: new Set(REPOSITORY_ACTIONS) },
      { account: ANY_USER, catalog: true },
    );
  } else {
    const list = document['access'];
    if (!Array.isArray(list)) return fail('must be a list of rules', 'access');
    list.forEach((rule: unknown, i) => rules.push(parseRule(rule, `access[${i}]`, fail)));
  }
  return { users, rules };
}

function parseRule(rule: unknown, where: string, fail: (message: string, where: string) => never): AccessRule {
  if (!isObject(rule)) return fail('must be an object', where);
  for (const key of Object.keys(rule)) {
    if (!['account', 'repository', 'actions', 'catalog'].includes(key)) {
      fail(`unknown field ${JSON.stringify(key)}; expected account, repository, actions or catalog`, `${where}.${key}`);
    }
  }
  const account = rule['account'];
  if (typeof account !== 'string' || account === '') {
    return fail('must be a user name, "*" or "anonymous"', `${where}.account`);
  }
  if (rule['catalog'] !== undefined) {
    if (rule['catalog'] !== true) return fail('must be true when given', `${where}.catalog`);
    if (rule['repository'] !== undefined || rule['actions'] !== undefined) {
      fail('a catalog rule has no repository or actions', where);
    }
    return { account, catalog: true };
  }
  const pattern = rule['repository'];
  if (typeof pattern !== 'string') return fail('must be a repository pattern such as "team/*"', `${where}.repository`);
  const repository = rethrowAt(() => repositoryGlob(pattern, ''), `${where}.repository`, fail);
  const given = rule['actions'];
  if (!Array.isArray(given) || given.length === 0) {
    return fail('must be a non-empty list of "pull", "push", "delete" or "*"', `${where}.actions`);
  }
  const actions = new Set<RepositoryAction>();
  given.forEach((action: unknown, j) => {
    if (action === '*') REPOSITORY_ACTIONS.forEach((a) => actions.add(a));
    else if (REPOSITORY_ACTIONS.includes(action as RepositoryAction)) actions.add(action as RepositoryAction);
    else fail(`unknown action ${JSON.stringify(action)}; expected pull, push, delete or *`, `${where}.actions[${j}]`);
  });
  return { account, repository, actions };
}

/** Runs a check that throws a path-less `BadDocumentError`, re-throwing it at `where` with the source. */
function rethrowAt<T>(check: () => T, where: string, fail: (message: string, where: string) => never): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof BadDocumentError) return fail(err.message, where);
    throw err;
  }
}

/** True when `rule` speaks for `account` (undefined: not logged in). */
function appliesTo(rule: AccessRule, account: string | undefined): boolean {
  if (rule.account === ANONYMOUS) return true;
  if (account === undefined) return false;
  return rule.account === ANY_USER || rule.account === account;
}

/**
 * The actions `account` (undefined: not logged in) may take on `repository`: the union of every
 * rule that applies to the account and whose pattern covers the repository.
 *
 * @example
 * allowedActions(config, 'alice', 'team/app'); // Set { 'pull', 'push', 'delete' }
 * allowedActions(config, undefined, 'team/app'); // Set {}
 */
export function allowedActions(config: AuthConfig, account: string | undefined, repository: string): Set<RepositoryAction> {
  const allowed = new Set<RepositoryAction>();
  for (const rule of config.rules) {
    if (!('repository' in rule) || !appliesTo(rule, account) || !rule.repository.test(repository)) continue;
    for (const action of rule.actions) allowed.add(action);
  }
  return allowed;
}

/** True when `account` (undefined: not logged in) may list the catalog (`registry:catalog:*`). */
export function catalogAllowed(config: AuthConfig, account: string | undefined): boolean {
  return config.rules.some((rule) => 'catalog' in rule && appliesTo(rule, account));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
