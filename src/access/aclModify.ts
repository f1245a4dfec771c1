// Adding and removing one line of an access list (The Bastion's access_modify in
// lib/perl/OVH/Bastion/allowkeeper.inc): a line is identified by its block, user, port and
// protocol; adding a line that is already there (and not expired) changes nothing, removing one
// that isn't there changes nothing. Expired lines of the list are dropped on the way.
import type { AclOwner, AclView } from '../store/acl.js';
import type { Store } from '../store/store.js';
import type { AclTuple } from '../policy/aclEntry.js';
import { storedComment } from '../policy/aclEntry.js';
import { bracketed, type AclAddress } from '../policy/aclAddress.js';
import { sameLine } from '../policy/aclMatch.js';

export interface AclLine {
  readonly address: AclAddress;
  readonly tuple: AclTuple;
}

export interface AclLineExtras {
  readonly comment: string | null;
  /** Seconds from now; null or 0: never expires. */
  readonly ttl: number | null;
  readonly forceKey: string | null;
  readonly forcePassword: string | null;
}

export function findLine(store: Store, owner: AclOwner, line: AclLine, now: number): AclView[] {
  const t = { ip: line.address.ip, user: line.tuple.user, port: line.tuple.port, protocol: line.tuple.protocol };
  return store.acl.view(owner, now).filter((e) => sameLine(e, t));
}

/** Adds the line unless it is there; call inside store.tx. */
export function addLine(store: Store, owner: AclOwner, line: AclLine, extras: AclLineExtras, by: string, now: number): 'added' | 'exists' {
  store.acl.dropExpired(owner, now);
  if (findLine(store, owner, line, now).length > 0) return 'exists';
  const a = line.address;
  store.acl.insert({
    kind: owner.kind,
    accountId: owner.kind === 'group' ? null : owner.accountId,
    groupId: owner.kind === 'personal' ? null : owner.groupId,
    ip: a.ip,
    family: a.family,
    prefixLen: a.prefixLen,
    start: a.start,
    end: a.end,
    user: line.tuple.user,
    port: line.tuple.port,
    protocol: line.tuple.protocol,
    comment: storedComment(extras.comment),
    expiresAt: extras.ttl ? now + extras.ttl : null,
    forceKey: extras.forceKey,
    forcePassword: extras.forcePassword,
    addedBy: by,
    addedAt: now,
  });
  return 'added';
}

/** Removes the line (every copy of it); call inside store.tx. */
export function deleteLine(store: Store, owner: AclOwner, line: AclLine, now: number): 'deleted' | 'absent' {
  store.acl.dropExpired(owner, now);
  const found = findLine(store, owner, line, now);
  for (const e of found) store.acl.remove(e.id);
  return found.length > 0 ? 'deleted' : 'absent';
}

/** How The Bastion names a line in its messages: [user@]ip[:port], IPv6 in brackets. */
export function machineDisplay(ip: string, port: number | null, user: string | null): string {
  let m = bracketed(ip);
  if (port) m += `:${port}`;
  return user ? `${user}@${m}` : m;
}
