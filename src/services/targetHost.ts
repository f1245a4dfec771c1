// The --host of a plugin call: an IP, a CIDR block or a name, resolved once as The Bastion's
// osh.pl does before it hands the call to a plugin (get_ip with allowSubnets). A name is looked
// up by the bastion's one resolver (src/services/resolver.ts: a deadline, a bound on lookups in
// progress), IPv4 answers preferred; nothing is ever connected to here. Both address families are
// accepted whatever IPv4Allowed / IPv6Allowed say: an access line dials nothing (see
// docs/compatibility.md); the egress path applies them.
import { EXIT } from '../kernel/exitCodes.js';
import { lookupName, lookupNames, resolverSettings, type BatchStop, type Lookup, type LookupFailure, type ResolverConfig } from './resolver.js';
import { R, type Result } from '../kernel/result.js';
import { isValidRemoteUser, checkPort } from '../policy/aclEntry.js';
import { parseAddress, type AclAddress } from '../policy/aclAddress.js';

export interface ResolvedHost {
  /** What the caller typed. */
  readonly host: string;
  readonly address: AclAddress;
}

/** The characters a host (name, address or block, IPv6 in brackets or not) may hold: osh.pl's first test. */
export const HOST_CHARS = /^\[?[a-zA-Z0-9._/:-]+\]?$/;

/**
 * Many hosts at once (a server list on stdin): each as a plugin's --host is (KO_INVALID_REMOTE_HOST, KO_HOST_NOT_FOUND, KO_DNS_DISABLED), the names looked up in
 * one bounded batch (src/services/resolver.ts lookupNames: a few at a time, all within one
 * dnsResolveTimeoutSeconds). `stopped` says why some names were not looked up, if any weren't.
 */
export async function resolveHosts(hosts: readonly string[], config: ResolverConfig): Promise<{ results: Map<string, Result<ResolvedHost>>; stopped: BatchStop | null }> {
  const results = new Map<string, Result<ResolvedHost>>();
  const names: string[] = [];
  for (const host of hosts) {
    const pre = beforeLookup(host);
    if (pre === null) names.push(host);
    else results.set(host, asResult(pre));
  }
  const batch = await lookupNames(names, resolverSettings(config));
  for (const [name, found] of batch.answers) results.set(name, asResult(fromLookup(name, found)));
  return { results, stopped: batch.stopped };
}

function asResult(r: HostAnswer): Result<ResolvedHost> {
  return r.ok ? R('OK', { value: r.value }) : R(r.code, { msg: r.msg });
}

type HostAnswer =
  | { ok: true; value: ResolvedHost }
  | { ok: false; code: 'KO_INVALID_REMOTE_HOST' | 'KO_HOST_NOT_FOUND' | 'KO_DNS_DISABLED'; why: LookupFailure | 'invalid'; msg: string };

/**
 * A plugin's --host: KO_INVALID_REMOTE_HOST for malformed text or a bad block, KO_HOST_NOT_FOUND
 * for a name that doesn't resolve in time, KO_DNS_DISABLED when names are off. Names go through the
 * bastion's one resolver (src/services/resolver.ts), IPv4 answers preferred.
 */
async function resolvePluginHost(host: string, config: ResolverConfig): Promise<HostAnswer> {
  return beforeLookup(host) ?? fromLookup(host, await lookupName(host, resolverSettings(config)));
}

/** What needs no lookup: a malformed host, an address or a block; null for a name to look up. */
function beforeLookup(host: string): HostAnswer | null {
  if (!HOST_CHARS.test(host)) return { ok: false, code: 'KO_INVALID_REMOTE_HOST', why: 'invalid', msg: `Remote host name '${host}' seems invalid` };
  const direct = parseAddress(host, { allowSubnets: true });
  if (direct.value) return { ok: true, value: { host, address: direct.value } };
  if (host.includes('/')) {
    return { ok: false, code: 'KO_INVALID_REMOTE_HOST', why: 'invalid', msg: `Remote host '${host}' looks like a subnet, but with an invalid prefix (${direct.msg})` };
  }
  if (/^[0-9.]+$/.test(host) || host.includes(':')) return { ok: false, code: 'KO_HOST_NOT_FOUND', why: 'not-found', msg: `Unable to resolve '${host}' (${direct.msg})` };
  return null;
}

function fromLookup(host: string, found: Lookup): HostAnswer {
  if (!found.ok) return { ok: false, code: found.why === 'disabled' ? 'KO_DNS_DISABLED' : 'KO_HOST_NOT_FOUND', why: found.why, msg: found.msg };
  const address = parseAddress(found.ip, { allowSubnets: false });
  if (!address.value) return { ok: false, code: 'KO_HOST_NOT_FOUND', why: 'not-found', msg: `Unable to resolve '${host}'` };
  return { ok: true, value: { host, address: address.value } };
}

export interface TargetRefusal {
  readonly code: 'KO_INVALID_PORT' | 'KO_INVALID_REMOTE_USER' | 'KO_INVALID_REMOTE_HOST' | 'KO_HOST_NOT_FOUND' | 'KO_DNS_DISABLED';
  readonly exit: number;
  readonly msg: string;
  /** Why a name lookup failed, when one did (a timeout or a full resolver is worth a log line). */
  readonly lookup?: LookupFailure;
}

/**
 * What osh.pl checks on the bastion-level --port, --user and --host of a plugin call before the
 * plugin runs (and before its permission check), in its order: a bad port (exit 134), a bad user
 * (patterns allowed, exit 127), a malformed host or block (exit 128), a name that doesn't resolve
 * (exit 102). Otherwise the resolved --host (null when none was given), which the plugin gets as
 * ctx.target instead of resolving it again.
 */
export async function checkPluginTarget(
  o: { readonly port?: string | undefined; readonly user?: string | undefined; readonly host?: string | undefined },
  config: ResolverConfig,
): Promise<{ ok: false; refusal: TargetRefusal } | { ok: true; target: ResolvedHost | null }> {
  if (o.port !== undefined && checkPort(o.port).value === null) {
    return { ok: false, refusal: { code: 'KO_INVALID_PORT', exit: EXIT.INVALID_PORT, msg: `Invalid port specified (${o.port})` } };
  }
  if (o.user && !isValidRemoteUser(o.user, true)) {
    return { ok: false, refusal: { code: 'KO_INVALID_REMOTE_USER', exit: EXIT.INVALID_REMOTE_USER, msg: `Remote user name '${o.user}' seems invalid` } };
  }
  if (!o.host) return { ok: true, target: null };
  const r = await resolvePluginHost(o.host, config);
  if (r.ok) return { ok: true, target: r.value };
  if (r.code === 'KO_INVALID_REMOTE_HOST') return { ok: false, refusal: { code: r.code, exit: EXIT.INVALID_REMOTE_HOST, msg: r.msg } };
  const exit = r.code === 'KO_DNS_DISABLED' ? EXIT.DNS_DISABLED : EXIT.HOST_NOT_FOUND;
  return { ok: false, refusal: { code: r.code, exit, msg: r.msg, ...(r.why !== 'invalid' ? { lookup: r.why } : {}) } };
}
