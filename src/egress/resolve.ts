// From what the user typed to the address we dial (The Bastion's get_ip): an IP literal as is
// (brackets around IPv6 removed, canonical form), otherwise one lookup through the bastion's one
// resolver (src/services/resolver.ts: deadline, bounded lookups). IPv4Allowed / IPv6Allowed say
// which families may be dialled: a literal of another family is refused, and answers of another
// family are skipped, as get_ip does.
import net from 'node:net';
import type { BastionConfig } from '../config/schema.js';
import { EXIT } from '../kernel/exitCodes.js';
import { canonicalIp } from '../policy/fromList.js';
import { ANY_FAMILY, lookupName, resolverSettings, type Families, type LookupFailure, type ResolverConfig } from '../services/resolver.js';

// Required wherever a name is resolved: a caller can't forget dnsServers, dnsSupportLevel or the deadline.
export type ResolveConfig = ResolverConfig & Pick<BastionConfig, 'IPv4Allowed' | 'IPv6Allowed'>;

export type ResolveRefusal = 'KO_HOST_NOT_FOUND' | 'KO_DNS_DISABLED' | 'KO_IP_VERSION_DISABLED';

export type Resolved = { ok: true; ip: string } | { ok: false; code: ResolveRefusal; exit: number; why: LookupFailure | 'ip-version'; msg: string };

/** The address families egress may dial (IPv4Allowed, IPv6Allowed). */
export function egressFamilies(config: Pick<BastionConfig, 'IPv4Allowed' | 'IPv6Allowed'>): Families {
  return { v4: config.IPv4Allowed, v6: config.IPv6Allowed };
}

/** An IP literal as typed (IPv6 maybe in brackets), canonical; null for a name. */
export function literalIp(host: string): string | null {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return net.isIP(bare) !== 0 ? canonicalIp(bare) : null;
}

/**
 * Resolves a target. `families` defaults to every family (forgetting a host key is not dialling);
 * the egress path passes egressFamilies(config).
 */
export async function resolveTarget(host: string, config: ResolveConfig, families: Families = ANY_FAMILY): Promise<Resolved> {
  const literal = literalIp(host);
  if (literal !== null) {
    const v = net.isIPv4(literal) ? 4 : 6;
    if (v === 4 ? families.v4 : families.v6) return { ok: true, ip: literal };
    return { ok: false, code: 'KO_IP_VERSION_DISABLED', exit: EXIT.IP_VERSION_DISABLED, why: 'ip-version', msg: `Can't use '${host}', IPv${v} support disabled by policy` };
  }
  const r = await lookupName(host, resolverSettings(config), families);
  if (r.ok) return { ok: true, ip: canonicalIp(r.ip) };
  if (r.why === 'disabled') return { ok: false, code: 'KO_DNS_DISABLED', exit: EXIT.DNS_DISABLED, why: r.why, msg: r.msg };
  return { ok: false, code: 'KO_HOST_NOT_FOUND', exit: EXIT.HOST_NOT_FOUND, why: r.why, msg: r.msg };
}

/** user@ip:port, IPv6 in brackets, as machine_display prints a target. */
export function machineDisplay(ip: string, port: number, user?: string): string {
  const m = `${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
  return user ? `${user}@${m}` : m;
}
