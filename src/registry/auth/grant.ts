/**
 * @module What a token may carry: the requested scopes intersected with what the access file
 * allows the account. The token spec says a partly allowed request is not an error: the token
 * simply holds fewer actions (possibly none), and the registry refuses what is missing.
 */
import { allowedActions, catalogAllowed, REPOSITORY_ACTIONS, type AuthConfig } from './access.ts';
import type { AccessClaim } from './jwt.ts';
import type { Scope } from './scope.ts';

/**
 * The `access` claim for `account` (undefined: anonymous) asking for `scopes`. Scopes on the
 * same resource are merged; each resource requested appears once, in request order, with the
 * granted actions in the order pull, push, delete (an empty list when nothing is granted, as the
 * spec's example shows). `*` on a repository asks for every action and is granted as the list of
 * those allowed; `registry:catalog:*` is granted as `*` or not at all. Other resource types get
 * nothing.
 *
 * @example
 * grantAccess(config, 'alice', [parseScope('repository:team/app:pull,push')]);
 * // [{ type: 'repository', name: 'team/app', actions: ['pull'] }] when alice may only pull
 */
export function grantAccess(config: AuthConfig, account: string | undefined, scopes: readonly Scope[]): AccessClaim[] {
  const merged = new Map<string, { scope: Scope; requested: Set<string> }>();
  for (const scope of scopes) {
    const key = `${scope.type}\0${scope.class ?? ''}\0${scope.name}`;
    const entry = merged.get(key) ?? { scope, requested: new Set<string>() };
    for (const action of scope.actions) entry.requested.add(action);
    merged.set(key, entry);
  }
  return [...merged.values()].map(({ scope, requested }) => {
    let actions: string[] = [];
    if (scope.type === 'repository') {
      const allowed = allowedActions(config, account, scope.name);
      actions = REPOSITORY_ACTIONS.filter((a) => allowed.has(a) && (requested.has(a) || requested.has('*')));
    } else if (scope.type === 'registry' && scope.name === 'catalog') {
      actions = requested.has('*') && catalogAllowed(config, account) ? ['*'] : [];
    }
    const claim: AccessClaim = { type: scope.type, name: scope.name, actions };
    return scope.class === undefined ? claim : { type: scope.type, class: scope.class, name: scope.name, actions };
  });
}
