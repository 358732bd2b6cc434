/**
 * @module Loads `--auth-config` for `crane registry serve` (kept apart so that bcrypt and the
 * token issuer load only when asked for).
 */
import { serverAuthFromFile } from '../registry/auth/server-auth.ts';
import type { ListenOptions } from '../registry/server.ts';

export async function authFromConfig(path: string): Promise<Pick<ListenOptions, 'authorize' | 'extraRoutes'>> {
  const auth = await serverAuthFromFile(path);
  return auth.extraRoutes ? { authorize: auth.authorize, extraRoutes: auth.extraRoutes } : { authorize: auth.authorize };
}
