/**
 * @module The `Authorization` header for credentials sent as they are (ggcr's `basicTransport`):
 * a registry token as Bearer, else `Basic base64(user:password)`, else config.json's `auth`.
 */
import type { AuthConfig } from '../../authn/authenticator.ts';

/** The header value for `cfg`, or undefined when it holds nothing to send directly. */
export function basicAuthorization(cfg: AuthConfig): string | undefined {
  if (cfg.registryToken) return `Bearer ${cfg.registryToken}`;
  if (cfg.username && cfg.password) return `Basic ${Buffer.from(`${cfg.username}:${cfg.password}`, 'utf8').toString('base64')}`;
  if (cfg.auth) return `Basic ${cfg.auth}`;
  return undefined;
}
