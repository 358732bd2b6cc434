/**
 * @module Resource scopes of the Docker token spec (`repository:team/app:pull,push`,
 * `registry:catalog:*`, `repository(plugin):vieux/sshfs:pull`): parsing what clients request
 * and writing what challenges and token responses say.
 */
import { InvalidArgumentError } from '../../errors/index.ts';

/** One resource scope. */
export interface Scope {
  /** `repository`, `registry`, … */
  readonly type: string;
  /** The class in `repository(plugin)`; absent for plain scopes. */
  readonly class?: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** The scope that lists the registry's repositories (`GET /v2/_catalog`). */
export const CATALOG_SCOPE: Scope = Object.freeze({ type: 'registry', name: 'catalog', actions: Object.freeze(['*']) });

const resourceType = /^([a-z0-9]+)(?:\(([a-z0-9]+)\))?$/;

/**
 * Parses one scope. The name may itself hold a `:` (a registry host with a port, as the spec's
 * grammar allows), so the type ends at the first `:` and the actions start after the last.
 * Fails with `InvalidArgumentError` for a scope with fewer than three parts, a bad type or an
 * empty name; an empty action list is allowed (it asks for nothing).
 *
 * @example
 * parseScope('repository:localhost:5000/app:pull,push');
 * // { type: 'repository', name: 'localhost:5000/app', actions: ['pull', 'push'] }
 */
export function parseScope(text: string): Scope {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first < 0 || last === first) {
    throw new InvalidArgumentError(`scope ${JSON.stringify(text)} is not type:name:actions`);
  }
  const typed = resourceType.exec(text.slice(0, first));
  if (!typed) throw new InvalidArgumentError(`scope ${JSON.stringify(text)} has a bad resource type`);
  const name = text.slice(first + 1, last);
  if (name === '') throw new InvalidArgumentError(`scope ${JSON.stringify(text)} has an empty resource name`);
  const actions = [...new Set(text.slice(last + 1).split(',').filter((a) => a !== ''))];
  const type = typed[1]!;
  return typed[2] === undefined ? { type, name, actions } : { type, class: typed[2], name, actions };
}

/**
 * Parses scope parameters: each may hold several scopes separated by spaces (the POST form and
 * some clients' GET), and blank ones are skipped.
 */
export function parseScopes(params: readonly string[]): Scope[] {
  return params.flatMap((param) => param.split(' ').filter((s) => s !== '').map(parseScope));
}

/** Writes a scope back in the spec's grammar: `type[(class)]:name:action,action`. */
export function formatScope(scope: Scope): string {
  const type = scope.class === undefined ? scope.type : `${scope.type}(${scope.class})`;
  return `${type}:${scope.name}:${scope.actions.join(',')}`;
}
