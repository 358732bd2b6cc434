/**
 * @module Which registries are spoken to over plain HTTP by default: loopback, private and
 * `localhost` addresses, where registries usually run without TLS (ggcr's `Registry.Scheme`).
 */
import { BlockList, isIP } from 'node:net';

/** The URL scheme for a registry: `http` or `https`. */
export type Scheme = 'http' | 'https';

const plainHttpAddresses = new BlockList();
// RFC 1918 private networks, as ggcr.
plainHttpAddresses.addSubnet('10.0.0.0', 8, 'ipv4');
plainHttpAddresses.addSubnet('172.16.0.0', 12, 'ipv4');
plainHttpAddresses.addSubnet('192.168.0.0', 16, 'ipv4');
// All of 127.0.0.0/8 is loopback; ggcr only matches 127.0.0.1.
plainHttpAddresses.addSubnet('127.0.0.0', 8, 'ipv4');
plainHttpAddresses.addAddress('::1', 'ipv6');

/**
 * The host part of `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address
 * (`::1`, which ggcr accepts as a registry and which has no room for a port).
 */
export function registryHost(registry: string): string {
  if (registry.startsWith('[')) {
    const end = registry.indexOf(']');
    return end < 0 ? registry : registry.slice(1, end);
  }
  const colon = registry.indexOf(':');
  if (colon < 0 || registry.indexOf(':', colon + 1) >= 0) return registry;
  return registry.slice(0, colon);
}

/**
 * `http` when `insecure`, or when the registry is `localhost` or a `*.localhost` name (RFC 6761
 * reserves them for loopback) or an address in 10/8, 172.16/12, 192.168/16, 127/8 or `::1`,
 * with or without a port; `https` otherwise.
 *
 * Deliberate differences from ggcr: plain `localhost` without a port is `http` (ggcr's snapshot
 * says `https`, a quirk it later fixed), the whole of 127.0.0.0/8 is loopback, IPv6 loopback is
 * matched in any spelling, and `localhost` is matched case-insensitively as DNS is.
 */
export function registryScheme(registry: string, insecure: boolean): Scheme {
  if (insecure) return 'http';
  const host = registryHost(registry);
  const family = isIP(host);
  if (family !== 0) return plainHttpAddresses.check(host, family === 6 ? 'ipv6' : 'ipv4') ? 'http' : 'https';
  const lower = host.toLowerCase();
  return lower === 'localhost' || lower.endsWith('.localhost') ? 'http' : 'https';
}
