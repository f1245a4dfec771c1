// The --host of a plugin call: an IP, a CIDR block or a name, resolved once as The Bastion's
// osh.pl does before it hands the call to a plugin (get_ip with allowSubnets). A name is looked
// up with the system resolver (so /etc/hosts counts, as getaddrinfo does for The Bastion), IPv4
// answers preferred, with a time limit; nothing is ever connected to here.
import dns from 'node:dns';
import { EXIT } from '../exitCodes.js';
import { R, type Result } from '../result.js';
import { isValidRemoteUser, checkPort } from './acl.js';
import { parseAddress, type AclAddress } from './aclAddress.js';

export interface ResolvedHost {
  /** What the caller typed. */
  readonly host: string;
  readonly address: AclAddress;
}

/** The characters a host (name, address or block, IPv6 in brackets or not) may hold: osh.pl's first test. */
export const HOST_CHARS = /^\[?[a-zA-Z0-9._/:-]+\]?$/;

/** Resolves a plugin's --host: KO_INVALID_REMOTE_HOST for malformed text or a bad block, KO_HOST_NOT_FOUND for a name that doesn't resolve. */
export async function resolveHost(host: string, timeoutMs = 5000): Promise<Result<ResolvedHost>> {
  if (!HOST_CHARS.test(host)) return R('KO_INVALID_REMOTE_HOST', { msg: `Remote host name '${host}' seems invalid` });
  const direct = parseAddress(host, { allowSubnets: true });
  if (direct.value) return R('OK', { value: { host, address: direct.value } });
  if (host.includes('/')) {
    return R('KO_INVALID_REMOTE_HOST', { msg: `Remote host '${host}' looks like a subnet, but with an invalid prefix (${direct.msg})` });
  }
  if (/^[0-9.]+$/.test(host) || host.includes(':')) return R('KO_HOST_NOT_FOUND', { msg: `Unable to resolve '${host}' (${direct.msg})` });
  const found = await lookup(host, timeoutMs);
  if (found === null) return R('KO_HOST_NOT_FOUND', { msg: `Unable to resolve '${host}'` });
  const address = parseAddress(found, { allowSubnets: false });
  if (!address.value) return R('KO_HOST_NOT_FOUND', { msg: `Unable to resolve '${host}'` });
  return R('OK', { value: { host, address: address.value } });
}

function lookup(host: string, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    dns.lookup(host, { all: true }, (err, addresses) => {
      clearTimeout(timer);
      if (err || addresses.length === 0) return resolve(null);
      resolve((addresses.find((a) => a.family === 4) ?? addresses[0])?.address ?? null);
    });
  });
}

export interface TargetRefusal {
  readonly code: 'KO_INVALID_PORT' | 'KO_INVALID_REMOTE_USER' | 'KO_INVALID_REMOTE_HOST' | 'KO_HOST_NOT_FOUND';
  readonly exit: number;
  readonly msg: string;
}

/**
 * What osh.pl checks on the bastion-level --port, --user and --host of a plugin call before the
 * plugin runs (and before its permission check), in its order: a bad port (exit 134), a bad user
 * (patterns allowed, exit 127), a malformed host or block (exit 128), a name that doesn't resolve
 * (exit 102). Null when there's nothing to refuse.
 */
export async function checkPluginTarget(o: { readonly port?: string | undefined; readonly user?: string | undefined; readonly host?: string | undefined }): Promise<TargetRefusal | null> {
  if (o.port !== undefined && checkPort(o.port).value === null) {
    return { code: 'KO_INVALID_PORT', exit: EXIT.INVALID_PORT, msg: `Invalid port specified (${o.port})` };
  }
  if (o.user && !isValidRemoteUser(o.user, true)) {
    return { code: 'KO_INVALID_REMOTE_USER', exit: EXIT.INVALID_REMOTE_USER, msg: `Remote user name '${o.user}' seems invalid` };
  }
  if (o.host) {
    const r = await resolveHost(o.host);
    if (r.code === 'KO_INVALID_REMOTE_HOST') return { code: r.code, exit: EXIT.INVALID_REMOTE_HOST, msg: r.msg };
    if (r.code === 'KO_HOST_NOT_FOUND') return { code: r.code, exit: EXIT.HOST_NOT_FOUND, msg: r.msg };
  }
  return null;
}
