// The access decision for egress: src/access/decision.ts (the one place that matches access lists)
// says which accesses allow user@ip:port and which key ids each may use; this adds the sealed
// private halves of those keys, in the decision's order, for the connection.
import { decideAccess, mayAllowSomeAddress } from '../access/decision.js';
import type { Store } from '../store/store.js';
import { keyFamily, type AccessGrant, type AccessDecider, type AccessQuery, type GrantKey } from './access.js';

export const decideEgressAccess: AccessDecider = (store, q, policy) => {
  const d = decideAccess(store, { accountId: q.accountId, ip: q.ip, port: q.port, user: q.user, now: q.now }, policy);
  if (!d.allowed) return { grants: [], msg: d.reason === 'no-acl' ? null : d.msg };
  const sealed = sealedKeys(store, q.accountId);
  const grants: AccessGrant[] = d.grants.map((g) => ({
    type: g.type,
    group: g.group?.name ?? null,
    forceKey: g.forceKey,
    keys: g.keys.flatMap((k): GrantKey[] => {
      const row = k.scope === 'account' ? sealed.account().get(k.id) : sealed.group(g.group?.id ?? -1).get(k.id);
      return row ? [{ fingerprint: k.fingerprint, family: keyFamily(k.type), size: k.size, createdAt: row.created_at, privateSealed: row.private_sealed }] : [];
    }),
  }));
  return { grants, msg: null };
};

/** Whether any access of the account could allow this port and user at some address (asked before resolving a name). */
export const egressMayAllowSomeAddress = (store: Store, q: Omit<AccessQuery, 'ip'>): boolean => mayAllowSomeAddress(store, q);

/** Sealed rows by key id, read once per scope for this decision. */
function sealedKeys(store: Store, accountId: number) {
  type Row = { created_at: number; private_sealed: Buffer };
  let account: Map<number, Row> | undefined;
  const groups = new Map<number, Map<number, Row>>();
  return {
    account: (): Map<number, Row> => (account ??= new Map(store.egressKeys.sealedForAccount(accountId).map((r) => [r.id, r]))),
    group: (groupId: number): Map<number, Row> => {
      let m = groups.get(groupId);
      if (!m) {
        m = new Map(store.groups.sealedKeys(groupId).map((r) => [r.id, r]));
        groups.set(groupId, m);
      }
      return m;
    },
  };
}
