// From what the user typed to the address we dial (The Bastion's get_ip): an IP literal as is
// (brackets around IPv6 removed, canonical form), otherwise one DNS lookup.
import dns from 'node:dns/promises';
import net from 'node:net';
import { canonicalIp } from '../keys/fromList.js';

export type Resolved = { ok: true; ip: string } | { ok: false; msg: string };

export async function resolveTarget(host: string): Promise<Resolved> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (net.isIP(bare) !== 0) return { ok: true, ip: canonicalIp(bare) };
  try {
    const { address } = await dns.lookup(bare);
    return { ok: true, ip: canonicalIp(address) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'lookup failed';
    return { ok: false, msg: `Unable to resolve host '${host}' (${code})` };
  }
}

/** user@ip:port, IPv6 in brackets, as machine_display prints a target. */
export function machineDisplay(ip: string, port: number, user?: string): string {
  const m = `${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
  return user ? `${user}@${m}` : m;
}
