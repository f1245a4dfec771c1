// from="…" lists on ingress keys. The list that applies is decided at login from the current
// configuration (The Bastion's get_from_for_user_key, applied live instead of when the key was
// written): ingressKeysFrom, unless the key carries its own list and either
// ingressKeysFromAllowOverride is set or ingressKeysFrom is empty.
import ipaddr from 'ipaddr.js';
import type { BastionConfig } from '../config/schema.js';
import { wildcardMatch } from './listFilter.js';

export function effectiveFromList(own: readonly string[], config: Pick<BastionConfig, 'ingressKeysFrom' | 'ingressKeysFromAllowOverride'>): readonly string[] {
  if (own.length > 0 && (config.ingressKeysFromAllowOverride || config.ingressKeysFrom.length === 0)) return own;
  return config.ingressKeysFrom;
}

/** Normalizes an address as OpenSSH would compare it (IPv4-mapped IPv6 becomes IPv4). */
export function canonicalIp(ip: string): string {
  try {
    const a = ipaddr.process(ip.replace(/%.*$/, ''));
    return a.toString();
  } catch {
    return ip;
  }
}

/**
 * OpenSSH's from= pattern list semantics: comma-separated entries, each an address, a CIDR or a
 * wildcard pattern (* and ?), '!' negates; a negated match refuses outright, otherwise any
 * positive match allows. Hostname patterns can't match since no reverse DNS is done.
 */
export function addressMatchesFromList(ip: string, list: readonly string[]): boolean {
  const addr = canonicalIp(ip);
  let parsed: ipaddr.IPv4 | ipaddr.IPv6 | null = null;
  try {
    parsed = ipaddr.process(addr);
  } catch {
    parsed = null;
  }
  let allowed = false;
  for (const raw of list) {
    const negated = raw.startsWith('!');
    const entry = negated ? raw.slice(1) : raw;
    if (entryMatches(addr, parsed, entry)) {
      if (negated) return false;
      allowed = true;
    }
  }
  return allowed;
}

function entryMatches(addr: string, parsed: ipaddr.IPv4 | ipaddr.IPv6 | null, entry: string): boolean {
  if (entry.includes('/')) {
    if (!parsed) return false;
    try {
      const [net, bits] = ipaddr.parseCIDR(entry);
      const n = net.kind() === 'ipv6' && (net as ipaddr.IPv6).isIPv4MappedAddress() ? ([(net as ipaddr.IPv6).toIPv4Address(), bits - 96] as const) : ([net, bits] as const);
      return parsed.kind() === n[0].kind() && parsed.match(n[0] as never, n[1]);
    } catch {
      return false;
    }
  }
  if (/[*?]/.test(entry)) {
    // Not a RegExp: the entry is the key owner's, and `.*` runs backtrack (listFilter.ts).
    return wildcardMatch(entry, addr);
  }
  return canonicalIp(entry) === addr;
}
