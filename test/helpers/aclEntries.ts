// An access-list line to insert in a test store: the address parsed as the plugins parse it,
// every column the line doesn't name left empty (any user, any port, no expiry, no forced key).
import assert from 'node:assert/strict';
import { parseAddress } from '../../src/policy/aclAddress.js';
import type { AclKind, AclProtocol, NewAclEntry } from '../../src/store/acl.js';

export interface LineOptions {
  readonly user?: string;
  readonly port?: number;
  readonly protocol?: AclProtocol;
  readonly expiresAt?: number;
  readonly forceKey?: string;
  readonly addedAt?: number;
}

export function aclLine(kind: AclKind, owner: { readonly accountId?: number | null; readonly groupId?: number | null }, host: string, o: LineOptions = {}): NewAclEntry {
  const a = parseAddress(host, { allowSubnets: true }).value;
  assert.ok(a, host);
  return {
    kind,
    accountId: owner.accountId ?? null,
    groupId: owner.groupId ?? null,
    ip: a.ip,
    family: a.family,
    prefixLen: a.prefixLen,
    start: a.start,
    end: a.end,
    user: o.user ?? null,
    port: o.port ?? null,
    protocol: o.protocol ?? null,
    comment: null,
    expiresAt: o.expiresAt ?? null,
    forceKey: o.forceKey ?? null,
    forcePassword: null,
    addedBy: 'test',
    addedAt: o.addedAt ?? 1,
  };
}
