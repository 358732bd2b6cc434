/**
 * @module Comparing hosts the way credentials need: `host[:port]` canonicalised with the default
 * port of the scheme (ggcr's `canonicalAddress`), and classifying IP literals that must not be
 * reached on a registry's say-so (loopback, private, link-local, unspecified).
 */
import { BlockList, isIP } from 'node:net';

const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http:': '80', 'https:': '443', http: '80', https: '443' };

/** Splits `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address into hostname and port. */
export function splitHostPort(hostPort: string): { hostname: string; port: string } {
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    if (end < 0) return { hostname: hostPort, port: '' };
    const rest = hostPort.slice(end + 1);
    return { hostname: hostPort.slice(1, end), port: rest.startsWith(':') ? rest.slice(1) : '' };
  }
  const colon = hostPort.indexOf(':');
  // No colon, or several (a bare IPv6 address, which has no room for a port).
  if (colon < 0 || hostPort.indexOf(':', colon + 1) >= 0) return { hostname: hostPort, port: '' };
  return { hostname: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

/**
 * `hostname:port` in lower case with the port made explicit from `scheme` (`http`/`https`, with
 * or without the colon), so `r.example`, `R.example:443` and `https://r.example/` compare equal.
 */
export function canonicalAddress(hostPort: string, scheme: string): string {
  const { hostname, port } = splitHostPort(hostPort);
  return `${hostname.toLowerCase().replace(/\.$/, '')}|${port || DEFAULT_PORTS[scheme] || ''}`;
}

/** The canonical address a URL connects to. */
export function urlAddress(url: URL): string {
  return canonicalAddress(url.host, url.protocol);
}

/**
 * True when `url` goes to the registry `registryHost` (its `host[:port]` as written in references)
 * reached over `scheme`: only such requests may carry the registry's credentials.
 */
export function isRegistryURL(url: URL, registryHost: string, scheme: string): boolean {
  return urlAddress(url) === canonicalAddress(registryHost, scheme);
}

const restricted = new BlockList();
// IPv4: "this network" (0/8, which includes the unspecified 0.0.0.0), RFC 1918, loopback,
// link-local (169.254/16, the cloud metadata services), carrier-grade NAT (RFC 6598).
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  restricted.addSubnet(net, prefix, 'ipv4');
}
// IPv6: unspecified, loopback, unique local (fc00::/7, Go's IsPrivate), link-local.
restricted.addAddress('::', 'ipv6');
restricted.addAddress('::1', 'ipv6');
restricted.addSubnet('fc00::', 7, 'ipv6');
restricted.addSubnet('fe80::', 10, 'ipv6');

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, `::ffff:a00:1`), if any. */
function mappedIPv4(v6: string): string | undefined {
  const lower = v6.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * True when `hostname` (brackets allowed) is an IP literal in a loopback, private, link-local,
 * shared or unspecified range, IPv4-mapped IPv6 included. Names are never restricted: resolving
 * them to catch DNS-based SSRF is out of scope, as in ggcr.
 */
export function isRestrictedIP(hostname: string): boolean {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const family = isIP(host);
  if (family === 4) return restricted.check(host, 'ipv4');
  if (family !== 6) return false;
  const v4 = mappedIPv4(host);
  if (v4 !== undefined && isIP(v4) === 4) return restricted.check(v4, 'ipv4');
  return restricted.check(host, 'ipv6');
}

/** The lower-cased hostname of `host[:port]`, without brackets. */
export function hostnameOf(hostPort: string): string {
  return splitHostPort(hostPort).hostname.toLowerCase();
}
