// Whether one access-list entry allows a wanted user@ip:port, by The Bastion's rules
// (is_access_way_granted in lib/perl/OVH/Bastion/allowdeny.inc, non-exact mode): an entry
// without a port or user allows any; an entry's user may be a pattern with * and ?; the entry's
// block must contain the wanted address (or block). Every listing and the access decision use
// this one function, so what a listing says and what the egress path does can't drift apart.
import { contains, type AclAddress } from './aclAddress.js';
import { effectiveUser } from './aclEntry.js';
import { wildcardMatch } from './listFilter.js';
import type { AclRow, AclView } from './records.js';

export interface WantedAccess {
  readonly ip: Pick<AclAddress, 'family' | 'start' | 'end'>;
  /** A port, null to look for an any-port entry, or 'ignore' to accept any entry's port. */
  readonly port: number | null | 'ignore';
  /** A remote user ("!sftp" for a protocol), null to look for an any-user entry, or 'ignore'. */
  readonly user: string | null | 'ignore';
}

export function entryAllows(e: AclRow, w: WantedAccess): boolean {
  if (w.port !== 'ignore' && e.port !== null && e.port !== w.port) return false;
  if (w.user !== 'ignore') {
    const u = effectiveUser(e);
    if (u !== null && (w.user === null || !userMatches(u, w.user))) return false;
  }
  return contains({ family: e.family, start: e.range_start, end: e.range_end }, w.ip);
}

/** An entry's user against a wanted user: exact, or a pattern with * and ? covering the whole name. */
function userMatches(pattern: string, user: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === user;
  // Not a RegExp: the user is what the caller typed, and `.*` runs backtrack (listFilter.ts).
  return wildcardMatch(pattern, user);
}

/** The most specific entry (smallest block) among those that allow; the first added wins a tie. */
export function bestMatch(entries: readonly AclRow[]): AclRow | undefined {
  let best: AclRow | undefined;
  for (const e of entries) if (!best || e.prefix_len > best.prefix_len) best = e;
  return best;
}

/** Whether an entry is the very line (same block, user, port and protocol) a change names. */
export function sameLine(e: AclView, t: { readonly ip: string; readonly user: string | null; readonly port: number | null; readonly protocol: string | null }): boolean {
  return e.ip === t.ip && e.user === t.user && e.port === t.port && e.protocol === t.protocol;
}
